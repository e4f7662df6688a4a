"""The hello-world app (after temporalio/ai-cookbook's hello_world_openai_responses_python),
extended with a webhook to the team; see README.md."""
