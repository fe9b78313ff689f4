"""The Kopf layer: watch, remember, wake at each due instant, command OCS, write status.

Importing `outbound_scheduler.handlers.operator` registers the handlers with Kopf.
"""
