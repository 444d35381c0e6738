"""Time helpers for the generator: Unix seconds in, shop-local and UTC SQL strings out, fast."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


class WorldClock:
    """Converts Unix seconds to the strings each system stores (cached per hour of the local offset)."""

    def __init__(self, tz_name: str) -> None:
        self.tz = ZoneInfo(tz_name)
        self._offsets: dict[int, int] = {}

    def offset(self, ts: float) -> int:
        hour = int(ts) // 3600
        off = self._offsets.get(hour)
        if off is None:
            delta = datetime.fromtimestamp(hour * 3600, self.tz).utcoffset()
            off = int(delta.total_seconds()) if delta is not None else 0
            self._offsets[hour] = off
        return off

    def local(self, ts: float) -> str:
        """Shop-local wall clock, `YYYY-MM-DD HH:MM:SS` (what PrestaShop stores)."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(ts) + self.offset(ts)))

    def local_day(self, ts: float) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(int(ts) + self.offset(ts)))

    @staticmethod
    def utc(ts: float) -> str:
        """UTC `YYYY-MM-DD HH:MM:SS` (what the Dolibarr database holds with PHP in UTC)."""
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(ts)))

    def day_start(self, day: date) -> int:
        """Unix seconds of local midnight of `day`."""
        return int(datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp())

    @staticmethod
    def iso_utc(ts: float) -> str:
        return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
