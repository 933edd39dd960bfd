"""Function execution: runs made by `services.start_run`, executed by `runner` in a bubblewrap
sandbox (`sandbox`, `shims/`), inline when blocking or on Django's task queue (`tasks`)."""
