/**
 * Text sift runs through a float32 graph to measure its activation ranges before quantizing it
 * (`calibrateActivations`): (query, passage) pairs of everyday retrieval, written for sift and
 * shipped with it, so int8 files are the same on every machine and need no data set. Topics and
 * styles vary (science, history, code, medicine, law, sport, product text, a list, numbers); none
 * comes from an evaluation set.
 */
export const CALIBRATION_PAIRS: readonly (readonly [query: string, passage: string])[] = [
  [
    'How many people live in Berlin?',
    'Berlin is the capital and largest city of Germany, with about 3.9 million inhabitants within its city limits. It lies on the banks of the Spree and Havel rivers and is surrounded by the state of Brandenburg. The city is known for its museums, its nightlife and the remains of the wall that divided it from 1961 to 1989.',
  ],
  [
    'what causes the seasons on earth',
    "The seasons are caused by the tilt of the Earth's rotational axis, about 23.4 degrees relative to its orbital plane. As the planet orbits the Sun, each hemisphere is tilted toward the Sun for part of the year, receiving more direct sunlight and longer days (summer), and away from it for the rest (winter). The distance to the Sun changes little and is not the cause.",
  ],
  [
    'side effects of ibuprofen',
    'Common side effects of ibuprofen include heartburn, nausea, stomach pain and dizziness. Taken for long periods or at high doses it can cause stomach ulcers and bleeding, raise blood pressure and harm the kidneys. People with asthma may find that it makes breathing worse. Patients should take the lowest dose that works, with food, and ask a pharmacist before combining it with other pain relievers.',
  ],
  [
    'javascript array remove duplicates',
    'The shortest way to remove duplicate values from an array in JavaScript is to build a Set and spread it back: const unique = [...new Set(items)]. A Set keeps insertion order, so the first occurrence of each value wins. For arrays of objects, compare a key instead, for example with a Map from id to object, because two objects with the same fields are still different references.',
  ],
  [
    'Who won the 2010 FIFA World Cup?',
    'Spain won the 2010 FIFA World Cup in South Africa, beating the Netherlands 1-0 in the final at Soccer City in Johannesburg on 11 July 2010. Andrés Iniesta scored the only goal in the 116th minute of extra time. It was the first world title for Spain and the first time a European team won the tournament outside Europe.',
  ],
  [
    'treatment for type 2 diabetes',
    'Type 2 diabetes is usually treated first with changes in diet, weight loss and regular exercise. When these are not enough, metformin is the standard first medicine; it lowers the amount of glucose the liver releases. Other options include SGLT2 inhibitors, GLP-1 receptor agonists and, in later stages, insulin. Blood glucose and HbA1c are checked regularly to adjust the treatment.',
  ],
  [
    'when was the printing press invented',
    'Johannes Gutenberg developed a movable-type printing press in Mainz around 1440. His system combined metal type cast in a hand mould, an oil-based ink and a screw press adapted from wine making. The Gutenberg Bible, printed around 1455, was one of the first major books produced this way, and printing spread to more than 200 European cities by 1500.',
  ],
  [
    'tenant rights when landlord does not return deposit',
    'If a landlord keeps a security deposit without a valid reason, the tenant can first send a written demand listing the amount and the date the lease ended. Many jurisdictions require the landlord to return the deposit, or an itemised list of deductions, within a fixed period such as 14 or 30 days. A landlord who misses that deadline may owe the full deposit plus a penalty, which a small claims court can award.',
  ],
  [
    'best running shoes for flat feet',
    'Runners with flat feet often overpronate, meaning the foot rolls inward after landing. Stability shoes with a firm medial post or guide rails, a supportive heel counter and a moderate drop can help control that motion. Fit matters more than brand: try shoes late in the day, leave a thumb width at the toe, and replace them after roughly 500 to 800 kilometres.',
  ],
  [
    'how does photosynthesis work',
    'Photosynthesis converts light energy into chemical energy. In the thylakoid membranes of chloroplasts, chlorophyll absorbs light and splits water, releasing oxygen and producing ATP and NADPH. In the Calvin cycle, in the stroma, the enzyme RuBisCO fixes carbon dioxide, and the ATP and NADPH are used to build three-carbon sugars that the plant turns into glucose, sucrose and starch.',
  ],
  [
    'python read csv file pandas',
    "To read a CSV file with pandas, call pandas.read_csv('data.csv'), which returns a DataFrame. Useful arguments include sep for another delimiter, usecols to load only some columns, dtype to fix column types, parse_dates to turn columns into datetimes and chunksize to stream a large file in pieces. df.head() shows the first five rows.",
  ],
  [
    'Mount Everest height',
    'Mount Everest, on the border between Nepal and the Tibet Autonomous Region of China, is the highest mountain above sea level. A joint Chinese and Nepali survey announced in December 2020 measured its height as 8,848.86 metres (29,031.7 feet). The first confirmed ascent was by Edmund Hillary and Tenzing Norgay on 29 May 1953.',
  ],
  [
    'symptoms of vitamin D deficiency',
    'Vitamin D deficiency often causes no symptoms at first. Over time it can lead to tiredness, bone pain, muscle weakness and aches, low mood and frequent infections. In children, severe deficiency causes rickets, with soft, bent bones; in adults it causes osteomalacia. A blood test for 25-hydroxyvitamin D confirms it, and supplements usually correct it within a few months.',
  ],
  [
    'quarterly revenue growth cloud company',
    'Q3 results: revenue rose 18% year over year to $4.2 billion, driven by cloud subscriptions, which grew 31% to $2.6 billion. Operating margin improved to 24.5% from 21.9%. The company raised its full-year guidance to $16.4-16.6 billion and announced a $5 billion share buyback. Headcount was flat at 42,000 employees.',
  ],
  [
    'what is a black hole',
    "A black hole is a region of spacetime where gravity is so strong that nothing, not even light, can escape once it crosses the event horizon. Stellar black holes form when massive stars collapse at the end of their lives; supermassive black holes, millions to billions of times the Sun's mass, sit at the centres of most galaxies, including Sagittarius A* in the Milky Way.",
  ],
  [
    'recipe chocolate chip cookies',
    'Ingredients: 225 g butter, 200 g brown sugar, 100 g white sugar, 2 eggs, 1 tsp vanilla, 350 g flour, 1 tsp baking soda, 1/2 tsp salt, 300 g chocolate chips. Cream the butter and sugars, beat in the eggs and vanilla, stir in the dry ingredients, then fold in the chips. Bake spoonfuls at 190 °C for 9 to 11 minutes, until the edges are golden.',
  ],
];
