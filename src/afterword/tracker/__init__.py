"""Action items in the team's ticketing system: GitHub Issues and Jira Cloud.

``afterword actions sync --to github|jira`` creates an issue for every open action item
without a ticket, writes the ticket back into the postmortem, and pulls status back (a
closed ticket marks its item done). Each created issue carries a marker (a label on Jira,
a line in the body on GitHub) made from the postmortem and the item, so a run interrupted
between creating an issue and writing it back finds that issue instead of making another.
These services cannot be reached from the test machines: the clients are written against
the documented REST API shapes and tested with recorded responses (httpx MockTransport).
"""
