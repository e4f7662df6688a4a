"""The judge's own tools: the `stormproof` command, the doctor, the exactly-once checker."""
