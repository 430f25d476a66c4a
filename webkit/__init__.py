"""The web base under the areas' pages: guards and the current user, `render()`, form and
API helpers, the session's login side and the mapping of errors to answers. It stands on
`core` (and Litestar) and imports no area and not the shell (`portal`)."""
