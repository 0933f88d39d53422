#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace vic_r1::runtime {

// The other end of the agent's ControlSocket: sends one request line and
// hands each line of the reply to `on_line` as it arrives, until the agent
// closes the connection. Every wait has `deadline` (the whole exchange).
// Returns an empty string on success, else why it failed (with the fix).
std::string exchange_with_agent(const std::string& socket_path, std::string_view request,
                                std::chrono::milliseconds deadline,
                                const std::function<void(std::string_view line)>& on_line);

}  // namespace vic_r1::runtime
