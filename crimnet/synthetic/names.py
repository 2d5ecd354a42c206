"""Name, place and vocabulary pools of the synthetic generator.

Every pool is made up for the generator: common given names and family names of
each nationality (no pairing of them describes a real individual), invented
street names on invented postcode areas (``NB``, ``KB``, ``TK``, ``AM`` are not
UK postcode areas), and transliteration variants used to add realistic noise.
All strings are ASCII.
"""

from __future__ import annotations

__all__ = [
    "NATIONALITIES",
    "FIRST_NAMES",
    "SURNAMES",
    "VARIANTS",
    "STREET_NAMES",
    "STREET_TYPES",
    "TOWNS",
    "MAKES",
    "COLOURS",
    "SECTORS",
    "TITLES",
]

# iso3, country name (police extracts), demonym (company register), share of the background population
NATIONALITIES: tuple[tuple[str, str, str, float], ...] = (
    ("GBR", "UNITED KINGDOM", "British", 0.82),
    ("ROU", "ROMANIA", "Romanian", 0.022),
    ("POL", "POLAND", "Polish", 0.025),
    ("ALB", "ALBANIA", "Albanian", 0.006),
    ("VNM", "VIETNAM", "Vietnamese", 0.005),
    ("NGA", "NIGERIA", "Nigerian", 0.014),
    ("IND", "INDIA", "Indian", 0.03),
    ("PAK", "PAKISTAN", "Pakistani", 0.028),
    ("CHN", "CHINA", "Chinese", 0.012),
    ("BGR", "BULGARIA", "Bulgarian", 0.008),
    ("LTU", "LITHUANIA", "Lithuanian", 0.009),
    ("HUN", "HUNGARY", "Hungarian", 0.006),
    ("ERI", "ERITREA", "Eritrean", 0.004),
    ("SDN", "SUDAN", "Sudanese", 0.005),
)

_M, _F = 0, 1
FIRST_NAMES: dict[str, tuple[list[str], list[str]]] = {
    "GBR": (
        "James John David Michael Daniel Thomas Oliver Jack Harry George William Samuel Joseph Matthew Liam Ryan "
        "Connor Callum Lewis Adam Paul Mark Stephen Andrew Christopher Peter Richard Kevin Jamie Aaron Mohammed "
        "Ali Jordan Kieran Dylan Nathan".split(),
        "Olivia Emily Amelia Sophie Jessica Chloe Emma Charlotte Lucy Hannah Grace Ella Mia Lauren Rebecca Sarah "
        "Laura Rachel Amy Katie Megan Holly Gemma Claire Nicola Karen Susan Julie Helen Fatima Aisha Jade".split(),
    ),
    "ROU": (
        "Andrei Alexandru Ionut Mihai Stefan Florin Gabriel Marius Adrian Cristian Constantin Vasile Nicolae "
        "Daniel Bogdan Catalin Razvan Ciprian".split(),
        "Maria Elena Ioana Andreea Alexandra Mihaela Cristina Gabriela Daniela Roxana Florentina Georgiana Simona "
        "Adriana Nicoleta Larisa".split(),
    ),
    "POL": (
        "Piotr Krzysztof Andrzej Tomasz Pawel Michal Marcin Jakub Lukasz Mateusz Kamil Wojciech Grzegorz Marek "
        "Dawid Szymon".split(),
        "Anna Katarzyna Malgorzata Agnieszka Barbara Ewa Magdalena Joanna Aleksandra Monika Zofia Natalia Karolina "
        "Paulina".split(),
    ),
    "ALB": (
        "Arben Besnik Dritan Ermal Fatmir Gentian Klodian Ardit Erion Florian Luan Mergim Sokol Ilir Altin "
        "Endrit".split(),
        "Ardita Blerta Elira Fatjona Jonida Klea Lindita Mirela Rezarta Teuta Valbona Anila Entela Dorina".split(),
    ),
    "VNM": (
        "Minh Anh Duc Hung Tuan Nam Long Quang Thanh Hieu Khoa Bao Dung Huy Phuc Son".split(),
        "Linh Huong Lan Mai Thu Trang Ngoc Hoa Thao Phuong Hanh Yen Nhung Van".split(),
    ),
    "NGA": (
        "Chinedu Emeka Oluwaseun Tunde Ifeanyi Obinna Chukwuemeka Babatunde Segun Adebayo Uche Kelechi Ibrahim "
        "Musa Yusuf Femi".split(),
        "Chioma Ngozi Adaeze Folake Funmilayo Blessing Precious Aisha Amaka Nkechi Temitope Yetunde Ifeoma "
        "Zainab".split(),
    ),
    "IND": (
        "Rahul Amit Arjun Vikram Sanjay Rajesh Suresh Anil Deepak Manoj Harpreet Gurpreet Ravi Sunil Karan "
        "Rohan".split(),
        "Priya Anjali Pooja Sunita Kavita Neha Deepa Meera Simran Harjit Lakshmi Rekha Anita Divya".split(),
    ),
    "PAK": (
        "Mohammed Ahmed Ali Hassan Imran Bilal Usman Tariq Zubair Asif Faisal Kamran Naveed Shahid Yasir Abdul".split(),
        "Ayesha Fatima Sana Nadia Saima Amina Hina Maryam Rabia Shazia Zainab Bushra Samina Nazia".split(),
    ),
    "CHN": (
        "Wei Jun Hao Lei Ming Jian Tao Qiang Yong Bo Chen Feng Gang Hui Jie Peng".split(),
        "Li Fang Ying Xiu Mei Jing Yan Hong Lin Xia Yu Juan Ping Na".split(),
    ),
    "BGR": (
        "Georgi Ivan Dimitar Nikolay Petar Hristo Stoyan Todor Vasil Stefan Angel Krasimir Lyubomir Plamen Yordan "
        "Kiril".split(),
        "Maria Ivanka Elena Yordanka Desislava Gergana Petya Radka Tsvetelina Galina Snezhana Milena Teodora "
        "Velichka".split(),
    ),
    "LTU": (
        "Tomas Mantas Darius Lukas Andrius Mindaugas Rokas Paulius Vytautas Justinas Marius Tadas Gediminas "
        "Kestutis".split(),
        "Ruta Egle Ieva Greta Jurgita Laura Rasa Vilma Inga Kristina Asta Gintare Jurate Simona".split(),
    ),
    "HUN": (
        "Laszlo Istvan Zoltan Gabor Attila Tamas Peter Janos Sandor Ferenc Balazs Csaba Gyula Norbert".split(),
        "Erzsebet Katalin Ildiko Zsuzsanna Eva Aniko Krisztina Judit Agnes Timea Renata Edina Szilvia Brigitta".split(),
    ),
    "ERI": (
        "Yonas Tesfay Samuel Dawit Mehari Habte Kidane Berhane Filmon Henok Merhawi Tekle Yohannes Amanuel".split(),
        "Helen Senait Saba Lidia Selam Mebrat Rahel Yordanos Eden Feven Hiwet Luwam Tsega Winta".split(),
    ),
    "SDN": (
        "Mohammed Ahmed Osman Abdelrahman Omer Hamza Ibrahim Mustafa Khalid Yousif Adam Abdalla Hassan Salah".split(),
        "Fatima Amna Hawa Mariam Khadija Aisha Samia Nafisa Huda Asma Rayan Salma Sara Zeinab".split(),
    ),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "GBR": tuple(
        "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White "
        "Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell Rose Davis Rodgers "
        "Turner Hughes Edwards Harris Martin Cooper Hill Ward Morris Moore King Baker Harrison Morgan Allen Scott "
        "Young Bennett Shaw Carter Murphy Kelly Price Bailey Parker Cook Bell Richardson Cox Marshall Hussain "
        "Begum Ahmed Campbell Stewart Watson Fletcher Gray Holmes Lloyd Owen Reid".split()
    ),
    "ROU": tuple(
        "Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu Munteanu Constantin Marin "
        "Lazar Dinu Florea Tudor Moldovan Barbu Nistor Serban Ene".split()
    ),
    "POL": tuple(
        "Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak Dabrowski "
        "Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski".split()
    ),
    "ALB": tuple(
        "Hoxha Shehu Dervishi Gjoka Kola Leka Marku Prifti Hysa Basha Cela Doda Gashi Krasniqi Berisha Rama "
        "Zeqiri Meta".split()
    ),
    "VNM": tuple("Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ho Ngo Duong Ly".split()),
    "NGA": tuple(
        "Okafor Adeyemi Okonkwo Eze Ogunleye Bello Abubakar Nwosu Okeke Adebayo Afolabi Obi Ibrahim Olawale "
        "Uzoma Balogun Chukwu Onyeka".split()
    ),
    "IND": tuple(
        "Sharma Singh Kumar Patel Gupta Shah Mehta Reddy Nair Iyer Joshi Chopra Malhotra Kaur Gill Sandhu Desai "
        "Rao".split()
    ),
    "PAK": tuple(
        "Khan Hussain Ahmed Ali Malik Iqbal Akhtar Butt Qureshi Raza Shah Chaudhry Mahmood Rashid Aslam Javed".split()
    ),
    "CHN": tuple("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He".split()),
    "BGR": tuple(
        "Ivanov Georgiev Dimitrov Petrov Nikolov Hristov Stoyanov Todorov Iliev Atanasov Angelov Vasilev Kolev "
        "Marinov Popov Yordanov".split()
    ),
    "LTU": tuple(
        "Kazlauskas Jankauskas Petrauskas Stankevicius Vasiliauskas Zukauskas Butkus Paulauskas Urbonas "
        "Kavaliauskas Balciunas Navickas Rimkus Sakalauskas".split()
    ),
    "HUN": tuple(
        "Nagy Kovacs Toth Szabo Horvath Varga Kiss Molnar Nemeth Farkas Balogh Papp Takacs Juhasz Lakatos Olah".split()
    ),
    "ERI": tuple(
        "Tesfamariam Gebremedhin Haile Tekle Ghebreyesus Berhe Kidane Woldu Mehari Asmerom Yemane Ghirmay Habtom "
        "Negash".split()
    ),
    "SDN": tuple(
        "Osman Abdalla Mohamed Ahmed Ibrahim Hassan Yousif Adam Elamin Babiker Elhassan Suleiman Hamid Omer".split()
    ),
}

# Spelling and transliteration variants that a clerk may write instead of the true spelling.
VARIANTS: dict[str, tuple[str, ...]] = {
    "Mohammed": ("Muhammad", "Mohamed", "Mohammad", "Mohamad"),
    "Mohamed": ("Mohammed", "Muhammad"),
    "Ahmed": ("Ahmad", "Ahmet"),
    "Yusuf": ("Yousuf", "Yousef"),
    "Yousif": ("Yusuf", "Yousef"),
    "Hussain": ("Hussein", "Husain"),
    "Osman": ("Othman", "Usman"),
    "Usman": ("Osman", "Othman"),
    "Abdalla": ("Abdullah", "Abdallah"),
    "Abdelrahman": ("Abdulrahman", "Abdurrahman"),
    "Omer": ("Omar",),
    "Hassan": ("Hasan",),
    "Aisha": ("Ayesha", "Aysha"),
    "Ayesha": ("Aisha",),
    "Fatima": ("Fatema", "Fathima"),
    "Zainab": ("Zaynab", "Zeinab"),
    "Zeinab": ("Zainab",),
    "Mariam": ("Maryam", "Miriam"),
    "Maryam": ("Mariam",),
    "Khadija": ("Khadijah",),
    "Khalid": ("Khaled",),
    "Mustafa": ("Mostafa", "Moustafa"),
    "Ibrahim": ("Ebrahim", "Ibraheem"),
    "Qureshi": ("Quraishi",),
    "Chaudhry": ("Choudhury", "Chaudhary"),
    "Georgi": ("Georgy", "Gheorghi"),
    "Nikolay": ("Nikolai",),
    "Dimitar": ("Dimitur", "Dimitri"),
    "Hristo": ("Christo", "Khristo"),
    "Yordan": ("Jordan",),
    "Yordanka": ("Jordanka",),
    "Petya": ("Petia",),
    "Tsvetelina": ("Cvetelina",),
    "Stoyanov": ("Stoianov",),
    "Vasilev": ("Vassilev",),
    "Ivanov": ("Ivanoff",),
    "Alexandru": ("Aleksandru",),
    "Stefan": ("Stephan",),
    "Mihai": ("Mihail",),
    "Andrei": ("Andrey",),
    "Lukasz": ("Lucas",),
    "Pawel": ("Pavel",),
    "Dritan": ("Driton",),
    "Hoxha": ("Hodja", "Hoxa"),
    "Krasniqi": ("Krasniki",),
    "Zhang": ("Chang",),
    "Chen": ("Chan",),
    "Wang": ("Wong",),
    "Li": ("Lee",),
    "Liu": ("Lau",),
    "Zhou": ("Chow",),
    "Xu": ("Hsu",),
    "Guo": ("Kwok",),
    "Tesfamariam": ("Tesfamaryam",),
    "Gebremedhin": ("Ghebremedhin",),
    "Ghebreyesus": ("Gebreyesus",),
    "Yohannes": ("Johannes",),
    "Yonas": ("Jonas",),
    "Oluwaseun": ("Seun",),
    "Babatunde": ("Tunde",),
    "Nguyen": ("Nguyn", "Ngyuen"),
}

STREET_NAMES: tuple[str, ...] = tuple(
    "High Church Station Mill Park Victoria Albert Queen King York Manor School Chapel Bridge Market Castle "
    "Water Spring Meadow Orchard Elm Oak Ash Beech Cedar Willow Birch Holly Hawthorn Chestnut Maple Rose "
    "Laurel Ivy Heather Moor Valley River Brook Forest Grange Abbey Priory Cross Windsor Cambridge Oxford "
    "Clarence Stanley Nelson Wellington Trafalgar Waterloo Alexandra Princess Regent Richmond Springfield "
    "Fairfield Highfield Westfield Belmont Burnside Moorland Ferndale Glebe Kirk Dale Bank Cliff Lark Swallow "
    "Kestrel Heron Primrose Bluebell Poplar Sycamore Lime Hazel Juniper Rowan Alder Thornton Ashby Kelby "
    "Marlow Denby Holme Fenwick Harcourt Beverley Cavendish".split()
)

# full street type, and the abbreviation clerks write
STREET_TYPES: tuple[tuple[str, str], ...] = (
    ("Street", "St"),
    ("Road", "Rd"),
    ("Avenue", "Ave"),
    ("Lane", "Ln"),
    ("Close", "Cl"),
    ("Drive", "Dr"),
    ("Terrace", "Terr"),
    ("Crescent", "Cres"),
    ("Grove", "Gr"),
    ("Place", "Pl"),
    ("Gardens", "Gdns"),
    ("Court", "Ct"),
    ("Way", "Way"),
)

# town, postcode area (invented), share of addresses, centre latitude, centre longitude
TOWNS: tuple[tuple[str, str, float, float, float], ...] = (
    ("Northbridge", "NB", 0.55, 53.90, -1.90),
    ("Kelby", "KB", 0.2, 53.97, -1.75),
    ("Thornwick", "TK", 0.15, 53.82, -2.05),
    ("Ashmoor", "AM", 0.1, 54.02, -2.00),
)

MAKES: tuple[str, ...] = (
    "FORD",
    "VAUXHALL",
    "VOLKSWAGEN",
    "TOYOTA",
    "NISSAN",
    "BMW",
    "AUDI",
    "MERCEDES-BENZ",
    "PEUGEOT",
    "KIA",
    "HYUNDAI",
    "SKODA",
    "HONDA",
    "RENAULT",
    "CITROEN",
)
COLOURS: tuple[str, ...] = ("BLACK", "WHITE", "SILVER", "GREY", "BLUE", "RED", "GREEN", "ORANGE", "YELLOW", "BROWN")

# sector label -> (SIC 2007 code, words used in company names)
SECTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hot_food": ("56103", ("Grill", "Pizza", "Kebab House", "Fried Chicken", "Takeaway", "Kitchen")),
    "convenience_store": ("47110", ("Convenience Store", "Mini Market", "Food and Wine", "Local Store")),
    "car_wash": ("45200", ("Hand Car Wash", "Car Valeting", "Auto Wash", "Car Care")),
    "nail_bar": ("96020", ("Nails", "Nail Bar", "Beauty", "Nail Studio")),
    "agriculture": ("01130", ("Farms", "Growers", "Produce", "Fresh Produce", "Packers")),
    "construction": ("43390", ("Construction", "Building Services", "Builders", "Groundworks", "Contractors")),
    "care": ("87300", ("Care Home", "Care Services", "Homecare", "Care")),
    "retail": ("47190", ("Stores", "Retail", "Supermarket", "Discount")),
    "office": ("70229", ("Consulting", "Services", "Solutions", "Associates")),
    "other": ("52103", ("Logistics", "Distribution", "Warehousing", "Recycling", "Cleaning Services")),
}

TITLES: tuple[str, ...] = ("Mr", "Mrs", "Ms", "Miss", "Dr")
