"""The read-only web view (`evidencedb serve`): pages, CSV and a JSON API over the queries.

A thin layer like the CLI: every page and every answer of the API is a query function of
`query/` or an operation's read, rendered. The web view sits below the CLI (whose `serve`
command starts it) and above everything else; nothing in the library imports it.
"""
