"""The command line: `python -m bertviz_core capture|export|corpus ...`."""
