"""Times as operators give them: a unix time, an ISO date/time (UTC if no zone), or an age such
as 90m, 6h, 7d (before now)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Optional


def parse_since(value: Optional[str]) -> Optional[float]:
    """The unix time `value` names (None for None); ValueError naming the value if it is none."""
    if value is None:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", value.strip())
    if m:
        return time.time() - float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    try:
        return float(value)
    except ValueError:
        pass
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r}: not a unix time, an ISO date/time or an age like 6h") from None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()
