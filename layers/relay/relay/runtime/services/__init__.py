"""The task Lambdas' use cases (`execution.ExecutionService`) and what one RunStep attempt
gives its modules: the run's LLM calls, media, progress, and their bookkeeping."""
