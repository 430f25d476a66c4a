"""The split of selection tasks between an organisation and DG R&O per level (seed 002).

Pure data: task keys only; the web layer gives them words in NL, FR and EN.
"""

from __future__ import annotations

from dataclasses import dataclass

from certification.rules import Level

# Under individual certification the organisation takes the tasks it has certified
# staff for (seed 002): which track qualifies for which task.
TASKS_BY_TRACK = {
    "AZ": ("run_selections", "administrative_tasks"),
    "SELTEST": ("selection_tests",),
    "ASSESS": ("assessment_exercises",),
    "INTERVIEW": ("chair_interviews",),
}

CLIENT_ORGANISATION_TASKS = ("develop_tests", "complaint_answers", "archiving", "mentoring")
CLIENT_DGRO_TASKS = (
    "assign_selection_files",
    "pc_planning",
    "assessments_unless_certified",
    "tools",
    "reasonable_accommodations",
    "sign_documents",
    "test_complaints",
    "trainings_and_certification_tests",
    "qchecks",
)


@dataclass(frozen=True)
class TaskSplit:
    organisation: tuple[str, ...]
    dgro: tuple[str, ...]


def task_split(level: Level, tracks_held: set[str]) -> TaskSplit:
    """Who does what at `level`; `tracks_held` are the tracks with a certified staff member."""
    if level == Level.CLIENT:
        organisation = [*CLIENT_ORGANISATION_TASKS]
        dgro = [task for task in CLIENT_DGRO_TASKS]
        if "ASSESS" in tracks_held:
            dgro.remove("assessments_unless_certified")
            organisation.append("assessment_exercises")
        return TaskSplit(tuple(organisation), tuple(dgro))
    if level == Level.INDIVIDUAL:
        organisation = [
            task
            for track, tasks in TASKS_BY_TRACK.items()
            if track in tracks_held
            for task in tasks
        ]
        return TaskSplit(
            tuple(organisation), ("everything_else", "trainings_and_certification_tests", "qchecks")
        )
    return TaskSplit((), ("whole_selection_process",))
