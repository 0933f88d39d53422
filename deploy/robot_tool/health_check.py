"""Whether vic-r1 on the robot is running and stands between vic-engine and
vic-anim: `vic-r1 status --json` answers and its robot link can speak."""
from __future__ import annotations

import json
import time
from typing import Callable, Tuple

from robot_tool import robot_scripts
from robot_tool.robot_link import RobotLink

POLL_INTERVAL_S = 2.0


def read_health(link: RobotLink) -> Tuple[bool, str]:
    result = link.run(robot_scripts.status_json(), changes_robot=False, timeout_s=20,
                      describe="vic-r1 status")
    if result.status != 0:
        return False, "vic-r1 is not running (" + result.last_error_line() + ")"
    try:
        status = json.loads(result.stdout)
        robot_link = status["robot_link"]
        can_speak = robot_link["can_speak"] is True
        detail = str(robot_link.get("detail", ""))
    except (ValueError, KeyError, TypeError):
        return False, "vic-r1 status gave an answer that is not its JSON"
    if can_speak:
        return True, "robot link ready: " + detail
    return False, "vic-r1 runs but cannot speak: " + detail


def wait_until_healthy(link: RobotLink, deadline_s: float,
                       clock: Callable[[], float] = time.monotonic,
                       sleep: Callable[[float], None] = time.sleep) -> Tuple[bool, str]:
    """Polls until healthy or until `deadline_s` has passed; says what it saw
    last either way."""
    give_up_at = clock() + deadline_s
    while True:
        healthy, detail = read_health(link)
        if healthy or clock() >= give_up_at:
            return healthy, detail
        sleep(min(POLL_INTERVAL_S, max(0.0, give_up_at - clock())))


def recent_log(link: RobotLink) -> str:
    result = link.run(robot_scripts.recent_log_lines(), changes_robot=False, timeout_s=20,
                      describe="reading the robot's log")
    return result.stdout.strip()
