"""The engine: pure NumPy, no Streamlit, no Plotly.

``datasets`` (toy problems, splits; ``regression_data`` the regression sets) and ``csvfile``
(CSV in and out); ``features`` (the network's input features), ``model`` (the network),
``workspace`` (its forward and backward arithmetic) and ``gradcheck``;
``optimizers`` (update rules), ``batches`` (the epochs' order), ``evaluation``,
``divergence``, ``history`` (bounded series), ``training`` (the update loop),
``trainer_settings`` (its checked settings) and ``trainer_state`` (what it shows outside);
``runs`` and ``runformat`` (run files).
"""
