"""`grader batch`: grade a folder of submissions in parallel, resumably, into one results
folder (per-learner reports, gradebook.csv, similarity.csv, report.html).

Each submission is graded by a worker process (`grader.batch.worker`), so one that crashes or
hangs costs only its own result; every file is written atomically and a journal records each
finished submission, so an interrupted batch resumes where it stopped.
"""
