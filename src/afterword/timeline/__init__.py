"""The incident timeline: sources (Slack, pagers, deploys, CSV), merging, metrics and charts."""
