"""The engine: pure NumPy, no Streamlit, no Plotly.

``datasets`` (toy problems, splits; ``regression_data`` the regression sets) and ``csvfile``
(CSV in and out); ``features`` (the network's input features), ``model`` (the network),
``workspace`` (its forward and backward arithmetic) and ``gradcheck``;
``optimizers`` (update rules), ``batches`` (the epochs' order), ``evaluation``,
``divergence``, ``history`` (bounded series), ``training`` (the Trainer: its settings, the
update loop, what it shows outside); ``runfiles`` (run files: writing, reading, checking).
"""
