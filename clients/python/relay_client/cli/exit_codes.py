"""The CLI's exit codes (docs/cli.md lists them)."""

OK = 0  # done: the run completed, the command did what it said
RUN_FAILED = 1  # the run ended in error, was rejected, or was cancelled
USAGE = 2  # bad arguments or input refused before anything was sent
API = 3  # the API answered an error, refused the key, or could not be reached
PAUSED = 4  # stopped at a pause nobody answered (--no-input, or no input left)
INTERRUPTED = 130  # Ctrl-C
