# tests/e2e: the main job's pipeline end to end.
TEST_SCRIPTS += tests/e2e/demo-pipeline.sh
