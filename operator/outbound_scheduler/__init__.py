"""outbound-scheduler: switches Genesys Outbound Campaign Groups on and off on Schedules."""
