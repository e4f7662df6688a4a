"""Apps written the way a team writes them, judged by Stormproof through their adapters."""
