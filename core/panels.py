"""Extra tabs on the cadre page, registered by the modules that build on the registry
(tolerance, assessment, care) so the registry never imports them."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class CadreTab:
    key: str
    label: str
    template: str
    context: Callable  # (cadre, user) -> dict


CADRE_TABS: list[CadreTab] = []


def register_cadre_tab(tab: CadreTab) -> None:
    if all(t.key != tab.key for t in CADRE_TABS):
        CADRE_TABS.append(tab)


@dataclass(frozen=True)
class WorkItem:
    """An open task on the workbench."""

    module: str
    title: str
    url: str
    deadline: object  # datetime.date or None
    stage: str = ""


# Functions (user, today) -> list[WorkItem], registered by the modules, and the models each
# reads (core.workbench keeps a user's list until a row of one of them changes).
WORKBENCH_SOURCES: list[Callable] = []
WORKBENCH_READS: dict[Callable, tuple] = {}


def register_workbench_source(source: Callable, *, reads: tuple | None = None) -> None:
    """`reads`: every model whose rows decide the source's items (the unit tree, the cadres,
    the records and their grants), beyond the users and their roles. A source registered
    without them is read afresh on every view."""
    if source not in WORKBENCH_SOURCES:
        WORKBENCH_SOURCES.append(source)
    WORKBENCH_READS[source] = None if reads is None else tuple(reads)


# Functions (cadre, issue) -> list[str] describing earlier inquiries or reports on the same
# issue (seed 000 Q7: no repeated or multi-headed inquiries), registered by the modules.
INQUIRY_CHECKS: list[Callable] = []


def register_inquiry_check(check: Callable) -> None:
    if check not in INQUIRY_CHECKS:
        INQUIRY_CHECKS.append(check)


# Functions (posting, rank_before, by) called by cadres.services.posting_add inside its
# transaction after a new current posting is saved, registered by the modules (assessment
# records a promotion when the rank rises).
POSTING_HOOKS: list[Callable] = []


def register_posting_hook(hook: Callable) -> None:
    if hook not in POSTING_HOOKS:
        POSTING_HOOKS.append(hook)
