"""The clinical logic: codes, red-flag and cause rules, emergency numbers, schedule, trends."""
