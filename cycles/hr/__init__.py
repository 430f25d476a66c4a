"""The HR side of evaluation cycles: an organisation's regime, who evaluates whom (with
history), absence and work regime per cycle, and the status of every cycle (never its
contents), with exports and a chart of the year's progress."""
