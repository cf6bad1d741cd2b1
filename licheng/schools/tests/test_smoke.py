from licheng.testing.personas import Personas


def test_personas_build(personas: Personas) -> None:
    assert personas.student.school == personas.school
    assert personas.student.national_id_masked.count("*") == 4
