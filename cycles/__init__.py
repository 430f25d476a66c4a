"""Staff evaluation cycles: objectives, meetings, signatures and deadlines."""
