"""The period a dashboard or report covers: a year or one of its quarters."""
import datetime
from dataclasses import dataclass

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2 if self.quarter else 1, 1)

    @property
    def end(self) -> datetime.date:
        if not self.quarter or self.quarter == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.quarter + 1, 1) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}" if self.quarter else f"{self.year}年"

    @property
    def short_label(self) -> str:
        return f"{self.year}年Q{self.quarter}" if self.quarter else f"{self.year}年"

    def shifted(self, years: int) -> "Period":
        """The same stretch `years` earlier (negative) or later: last year's quarter for a quarter."""
        return Period(self.year + years, self.quarter)

    @property
    def whole_year(self) -> "Period":
        return Period(self.year)
