"""The only Streamlit code outside ``pages/``: page set-up and navigation (:mod:`.setup`), cached loaders
(:mod:`.loaders`), shared widgets (:mod:`.widgets`) and the upload controller (:mod:`.uploads`)."""
