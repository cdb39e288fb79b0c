"""The vitality index of a repository, as the national catalogue's crawler computes it.

Source: the `italia/publiccode-crawler` repository — `docs/vitalityIndex.md` (the definition), `vitality-ranges.yml`
(the points of each range, the version the documentation links: user community 4-36, code activity 2-60, release
history 20-50, longevity 20-35) and `git/repo_activity.go` (`CalculateRepoActivity`, the formula). Over a window of
60 days, for each day `i` (0 = now, 59 = 59 days ago), with `cutoff = now - i days`:

- user community: the distinct author e-mails of the commits authored before `cutoff` (the crawler counts the whole
  history up to that moment, not only the window's days);
- code activity: the commits authored on the calendar day of `cutoff`, plus the merges among them (a merge counts
  twice: once as a commit, once as a merge);
- release history: the tags whose commit was authored on the calendar day of `cutoff`;
- longevity: the age of the repository in days, from its oldest commit to now (the same for every day).

Each figure is turned into points by its ranges (`min <= value < max`; a value past the last range scores 0, as in
the crawler); the day's score is the sum, capped at 100; the index is the mean of the 60 daily scores, capped at 100
and truncated to an integer. A repository whose first commit is dated before 2005 (before git existed) has no
index, as in the crawler. Dates are the commits' author dates; a calendar day is a day of the portal's time zone.

Where this module differs from the crawler's code, and why: the crawler looks the tagged commit up by the tag
reference's own object, which for an annotated tag is the tag object, not a commit, so it silently counts
lightweight tags only; the documentation says releases are the tags, so every tag naming a commit counts here.

The harvest reads the history from its blob-less copy (catalog.harvest.repository.read_history) and keeps the
result as a daily series (catalog.models.VitalityDay).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

WINDOW_DAYS = 60
GIT_EPOCH = dt.datetime(2005, 1, 1, 1, 0, tzinfo=dt.UTC)

# (min, max, points), from vitality-ranges.yml.
Ranges = tuple[tuple[float, float, int], ...]
USER_COMMUNITY: Ranges = (
    (0, 2, 4),
    (2, 4, 8),
    (4, 8, 12),
    (8, 12, 16),
    (12, 16, 20),
    (16, 20, 24),
    (20, 24, 28),
    (24, 28, 32),
    (28, 10000, 36),
)
CODE_ACTIVITY: Ranges = (
    (0, 4, 2),
    (4, 6, 8),
    (6, 9, 14),
    (9, 12, 20),
    (12, 15, 26),
    (15, 18, 32),
    (18, 25, 38),
    (25, 30, 44),
    (30, 35, 50),
    (35, 10000, 60),
)
RELEASE_HISTORY: Ranges = ((0, 1, 20), (1, 2, 30), (2, 4, 40), (4, 100, 50))
LONGEVITY: Ranges = ((0, 365, 20), (365, 730, 30), (730, 10000, 35))


def points(ranges: Ranges, value: float) -> int:
    for low, high, score in ranges:
        if low <= value < high:
            return score
    return 0


@dataclass(frozen=True)
class Commit:
    author: str  # e-mail
    authored_at: dt.datetime  # aware
    merge: bool


@dataclass(frozen=True)
class History:
    """What the index reads of a repository: every commit reachable from the default branch's head, and the author
    date of the commit each tag names (one entry per tag)."""

    commits: Sequence[Commit]
    tag_dates: Sequence[dt.datetime]


@dataclass(frozen=True)
class Vitality:
    """The index and what it is made of. The parts are the mean points of each dimension over the window (their
    sum is the index before capping and truncation); the counts are those of the whole window."""

    value: int
    scores: tuple[int, ...]  # the daily scores, oldest first
    user_community: float
    code_activity: float
    release_history: float
    longevity: float
    authors: int
    commits: int
    merges: int
    releases: int
    age_days: int

    @property
    def scores_text(self) -> str:
        """The daily scores as the national Software Catalog API's `vitality` carries them: comma-separated."""
        return ",".join(str(score) for score in self.scores)


def compute_vitality(history: History, *, now: dt.datetime, tz: dt.tzinfo) -> Vitality | None:
    """The index of `history` at `now`; None for a repository without commits or one dated before git existed."""
    if not history.commits:
        return None
    oldest = min(min(commit.authored_at for commit in history.commits), now)
    if oldest < GIT_EPOCH:
        return None
    age = (now - oldest).total_seconds() / 86400
    first_seen: dict[str, dt.datetime] = {}
    per_day: dict[dt.date, list[Commit]] = {}
    for commit in history.commits:
        seen = first_seen.get(commit.author)
        if seen is None or commit.authored_at < seen:
            first_seen[commit.author] = commit.authored_at
        per_day.setdefault(commit.authored_at.astimezone(tz).date(), []).append(commit)
    tags_per_day: dict[dt.date, int] = {}
    for date in history.tag_dates:
        day = date.astimezone(tz).date()
        tags_per_day[day] = tags_per_day.get(day, 0) + 1
    longevity = points(LONGEVITY, age)
    scores, parts = [], [0, 0, 0, 0]
    commits = merges = releases = 0
    for i in range(WINDOW_DAYS):
        cutoff = now - dt.timedelta(days=i)
        day = cutoff.astimezone(tz).date()
        authors = sum(1 for when in first_seen.values() if when < cutoff)
        day_commits = per_day.get(day, [])
        day_merges = sum(1 for commit in day_commits if commit.merge)
        day_tags = tags_per_day.get(day, 0)
        commits, merges, releases = commits + len(day_commits), merges + day_merges, releases + day_tags
        community = points(USER_COMMUNITY, authors)
        activity = points(CODE_ACTIVITY, len(day_commits) + day_merges)
        history_points = points(RELEASE_HISTORY, day_tags)
        for index, value in enumerate((community, activity, history_points, longevity)):
            parts[index] += value
        scores.append(min(community + activity + history_points + longevity, 100))
    mean = sum(scores) / WINDOW_DAYS
    return Vitality(
        value=int(min(mean, 100)),
        scores=tuple(reversed(scores)),
        user_community=round(parts[0] / WINDOW_DAYS, 1),
        code_activity=round(parts[1] / WINDOW_DAYS, 1),
        release_history=round(parts[2] / WINDOW_DAYS, 1),
        longevity=round(parts[3] / WINDOW_DAYS, 1),
        authors=sum(1 for when in first_seen.values() if when < now),
        commits=commits,
        merges=merges,
        releases=releases,
        age_days=int(age),
    )
