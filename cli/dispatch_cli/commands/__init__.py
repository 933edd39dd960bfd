"""The commands, one module per verb group; each `cmd_*` takes the Session (dispatch_cli.session)."""
