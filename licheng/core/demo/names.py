"""Name material for the demo schools: common Taiwanese surnames (weighted roughly by how often
they occur), given-name characters, and fictional school names. All generated people are
fictional; names that belong to well-known public figures are skipped."""

from __future__ import annotations

import random

# (surname, weight ‰) — the most common surnames in Taiwan, roughly by frequency.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("陳", 112),
    ("林", 83),
    ("黃", 60),
    ("張", 53),
    ("李", 51),
    ("王", 41),
    ("吳", 40),
    ("劉", 32),
    ("蔡", 29),
    ("楊", 26),
    ("許", 23),
    ("鄭", 19),
    ("謝", 18),
    ("郭", 17),
    ("洪", 16),
    ("曾", 14),
    ("邱", 14),
    ("廖", 14),
    ("賴", 13),
    ("周", 12),
    ("徐", 11),
    ("蘇", 11),
    ("葉", 10),
    ("莊", 10),
    ("呂", 9),
    ("江", 9),
    ("何", 8),
    ("蕭", 7),
    ("羅", 7),
    ("高", 7),
    ("潘", 6),
    ("簡", 6),
    ("朱", 6),
    ("鍾", 6),
    ("游", 5),
    ("彭", 5),
    ("詹", 5),
    ("施", 5),
    ("胡", 5),
    ("沈", 4),
    ("余", 4),
    ("盧", 4),
    ("梁", 4),
    ("趙", 4),
    ("顏", 4),
    ("柯", 4),
    ("翁", 4),
    ("魏", 4),
    ("孫", 3),
    ("戴", 3),
    ("范", 3),
    ("方", 3),
    ("宋", 3),
    ("鄧", 3),
    ("杜", 2),
    ("傅", 2),
    ("侯", 2),
    ("曹", 2),
    ("薛", 2),
    ("丁", 2),
    ("卓", 2),
    ("馬", 2),
    ("阮", 2),
    ("董", 2),
    ("唐", 2),
    ("温", 2),
    ("藍", 1),
    ("蔣", 1),
    ("石", 1),
    ("古", 1),
)

# Given-name characters popular for children born around 2008–2012.
YOUNG_MALE = tuple("宇承柏冠宥睿品彥哲翔恩廷皓辰傑家俊宸瑋崴凱勳軒霖祐叡奕晨育安昱佑誠緯鈞澤陞鴻維禹")
YOUNG_FEMALE = tuple("欣妤婷芸涵萱怡雅彤琪庭瑄筠詩語若蓁晴恩瑜昕卉妍宜靜心亭潔璇甯芯穎喬羽蕾佳歆悅")
# Given-name characters more typical of parents' and teachers' generations.
ADULT_MALE = tuple("志明文建國俊宏家偉正信忠仁德榮輝銘政勝賢嘉峰哲永成昌隆清福東雄漢")
ADULT_FEMALE = tuple("淑惠美玲芬秀麗娟華婷雅如君慧珍琴鳳月芳蓉瑩怡靜貞敏玉宜佩真")

# Names of well-known people; a generated name equal to one of these is drawn again.
FAMOUS_NAMES = frozenset(
    {
        "蔡英文",
        "馬英九",
        "陳水扁",
        "李登輝",
        "賴清德",
        "韓國瑜",
        "柯文哲",
        "侯友宜",
        "蔣經國",
        "周杰倫",
        "蔡依林",
        "林志玲",
        "王建民",
        "陳偉殷",
        "郭台銘",
        "張忠謀",
        "林書豪",
        "戴資穎",
        "李安",
        "林俊傑",
        "張惠妹",
        "王力宏",
        "陳建仁",
        "蘇貞昌",
        "卓榮泰",
        "陳其邁",
        "盧秀燕",
        "蔣萬安",
        "黃仁勳",
        "蘇姿丰",
        "楊傳廣",
        "紀政",
        "郭婞淳",
        "李洋",
        "王齊麟",
        "林昀儒",
        "陳金鋒",
        "曾雅妮",
        "謝淑薇",
        "盧彥勳",
    }
)

# Fictional school names for demo schools after the first (「歷程示範高級中學」).
SCHOOL_PLACES = (
    "青峰",
    "翠湖",
    "松濤",
    "晴川",
    "楓林",
    "碧海",
    "星河",
    "雲嶺",
    "竹溪",
    "梅岡",
    "蘭陽溪",
    "鷺洲",
    "桐林",
    "白沙灣",
    "清水溪",
    "柳營",
    "綠野",
    "南湖",
    "北嶺",
    "東籬",
    "西濱",
    "玉泉",
    "石門",
    "鳳鳴",
    "龍潭湖",
    "長青",
    "嘉禾",
    "豐田",
    "永安",
    "和平",
    "大同",
    "光華",
    "崇德",
    "育英",
    "啟明",
    "明倫",
    "興華",
    "弘道",
    "日新",
    "建安",
    "文昌",
    "德馨",
    "博雅",
    "至善",
    "秀峰",
    "紫雲",
    "藍田",
    "海風",
    "山城",
    "花園",
)
FIRST_SCHOOL_NAME = "歷程示範高級中學"


def school_name(index: int) -> str:
    """The first demo school is 歷程示範高級中學; the rest get a fictional place name."""
    if index == 0:
        return FIRST_SCHOOL_NAME
    place = SCHOOL_PLACES[(index - 1) % len(SCHOOL_PLACES)]
    cycle = (index - 1) // len(SCHOOL_PLACES)
    return f"{place}示範高級中學" if cycle == 0 else f"{place}第{cycle + 1}示範高級中學"


_SURNAME_LIST = tuple(s for s, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in SURNAMES)


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, weights=_SURNAME_WEIGHTS)[0]


def full_name(rng: random.Random, sex: int, *, young: bool, family: str | None = None) -> str:
    """A three-character name (surname + two given characters); ``sex`` 1 male, 2 female."""
    chars = {(True, 1): YOUNG_MALE, (True, 2): YOUNG_FEMALE, (False, 1): ADULT_MALE, (False, 2): ADULT_FEMALE}[
        (young, sex)
    ]
    while True:
        first = family or surname(rng)
        a, b = rng.sample(chars, 2)
        name = first + a + b
        if name not in FAMOUS_NAMES:
            return name
