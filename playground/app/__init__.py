"""The Streamlit app: the page, the sidebar, the live loop, the views and the chart
component. Only this package imports Streamlit."""

from .page import main

__all__ = ["main"]
