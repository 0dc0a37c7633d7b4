"""Entry point: `streamlit run streamlit_app.py`."""

from pathlib import Path

import streamlit as st

from playground.app import main
from playground.app.process import configure_process

configure_process()
# a local icon: an emoji or Material page icon is fetched from the internet
st.set_page_config(page_title="NumPy neural-network playground",
                   page_icon=str(Path(__file__).parent / "playground/app/favicon.png"),
                   layout="wide")
main()
