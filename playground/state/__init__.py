"""One visitor's state, free of Streamlit and Plotly: the settings (and their URL form), the
visitor's :class:`~playground.state.playground.Playground` (data, run, snapshots, pins) and
the lessons."""
