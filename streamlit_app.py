"""Entry point: `streamlit run streamlit_app.py`."""

import streamlit as st

from playground.app import main

st.set_page_config(page_title="NumPy neural-network playground", page_icon="🧠", layout="wide")
main()
