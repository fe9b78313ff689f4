"""The `outbound-scheduler` command: run the operator, a local dev environment, the simulator."""
