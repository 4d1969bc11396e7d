"""The errors a user can act on. The CLI prints their message on one line and exits non-zero."""


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
