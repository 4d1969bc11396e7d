"""The errors a user can act on, one class per thing to do about it.

The CLI prints an error's message on one line (`migwatch: error: ...`) and exits with its
`exit_code`; nothing else of it reaches the user. The tree, as httpx draws its own:

    MigwatchError            exit 1   anything migwatch reports to a user
    ├── InputError           exit 2   a file, folder or stream cannot be read as what it should be
    ├── ConfigError          exit 2   a setting, topic file, feeds file or config file is malformed
    ├── StorageError         exit 3   the database cannot be reached or used
    ├── DeliveryError        exit 4   a notification channel failed
    ├── AllFeedsFailed       exit 5   a poll in which every feed failed (some failing: exit 0)
    └── PrefectUnavailable   exit 6   no Prefect API answers (PREFECT_API_URL) or none could start

Per-feed and per-item problems are not exceptions: they are values (`FeedOk`, `FeedNotModified`, `FeedFailed`)
in `monitors.feeds.fetch`, so one bad feed is one row of a report.
"""


class MigwatchError(Exception):
    """Base of every error migwatch reports to a user."""

    exit_code = 1


class InputError(MigwatchError):
    """A file, folder or stream given to migwatch cannot be read as what it should be."""

    exit_code = 2


class ConfigError(MigwatchError):
    """A setting, topic file, feeds file or config file is malformed."""

    exit_code = 2


class StorageError(MigwatchError):
    """The database cannot be reached or used."""

    exit_code = 3


class DeliveryError(MigwatchError):
    """A notification channel failed."""

    exit_code = 4


class AllFeedsFailed(MigwatchError):
    """Every feed of a poll failed: most likely the network, not the feeds."""

    exit_code = 5


class PrefectUnavailable(MigwatchError):
    """No Prefect API could be reached or started for a command that runs a flow."""

    exit_code = 6
