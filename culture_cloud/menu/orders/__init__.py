"""Orders (点单): a centre orders an offering, the supplier answers, the bureau approves within
its budget and the order becomes a bookable event."""
