import pytest

from dangjian.core.names import normalize_name


@pytest.mark.parametrize(("typed", "name"), [
    ("张三", "张三"),
    ("张　三", "张三"),  # padded to three characters' width with a full-width space
    ("张 三", "张三"),
    (" 李  四 ", "李四"),
    ("欧阳\u00a0娜娜", "欧阳娜娜"),  # a non-breaking space pasted from a web page
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽•买买提", "阿依古丽·买买提"),
    ("阿依古丽・买买提", "阿依古丽·买买提"),
    ("阿依古丽．买买提", "阿依古丽·买买提"),
    ("阿依古丽 . 买买提", "阿依古丽·买买提"),
    ("𠇔三", "𠇔三"),  # a character outside the BMP
    ("John Smith", "John Smith"),  # not Chinese: as typed
    ("王3", "王3"),  # a digit is not touched here: the form's other checks see it
])
def test_names_as_typed(typed, name):
    assert normalize_name(typed) == name
