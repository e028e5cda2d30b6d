"""Training text for the command verifier, none of it from the benchmark corpus:
short non-command sentences, sound-alike and ordinary words, and sentences that end in a
command word (labelled "none": a command is given on its own, not at the end of a sentence)."""


SENTENCES = """Grab the blue mat from the corner.
How was the traffic on the way in?
My shoulders are sore from yesterday.
I need new laces for these trainers.
What time does the pool open on Sunday?
The radiator in here is way too hot.
Put the kettlebells back on the shelf please.
I think it might rain later.
Are you coming to the barbecue on Saturday?
The lights in the hallway keep flickering.
We ran out of paper towels again.
That was the longest plank of my life.
Could you turn the fan on?
My brother started learning the guitar.
I left my water on the train.
This song reminds me of summer.
Have you tried the yoga class on Thursday?
The cat knocked a glass off the table.
I'll call you back in a minute.
There's a spider on the ceiling.
Lunch was a sandwich and an apple.
Where did I put my gloves?
The neighbours are having a party tonight.
My legs feel like jelly.
Let's meet at the front desk.
This bench is a bit wobbly.
I'm trying to sleep more this month.
The printer is jammed again.
How much does a membership cost?
My watch says I walked ten thousand steps.
Can you spot me on this one?
It smells like fresh paint in here.
We should stretch before we start.
The towel is in my bag.
I love the smell of rain.
That coffee was way too strong.
Who left the door open?
The train was packed this morning.
My grandmother makes the best soup.
I can't find the remote anywhere.
Okay, one more time.
Right, let's see.
Hmm, I'm not sure.
Yeah, that sounds fine.
Wait a second.
Oh no, I dropped it.
Nice, that felt good.
Alright then.
Good morning everyone.
Thanks a lot.
See you tomorrow.
Is that your phone ringing?
Turn it up a bit.
Not bad at all.
Come on, push it.
Breathe out slowly.
Keep your back flat.
Almost there.
Oh wow.
Let me think about it.""".splitlines()

# Words that sound like commands, and ordinary single words.
WORDS = """text nest necks nets vex desk deck steady Eddie petty teddy already paws pose cause laws
post pass stock stuff top shop stoke stack kip ship slip script skid skim scrip whelp yelp kelp
held hello master plaster pastor after laughter lower mower flower slowly blower stratus statues
stadium presume assume consume resumes continent continued repeal compete complete retreat defeat
receipt devious obvious previously fun gun ton son sun run dumb gone goal go gold
golden hold old own home back black bag pack hack say said again gain agenda yes no okay
right left up down water towel mat bench rack weight coffee music phone keys shoes dog cat
hello sorry thanks maybe nothing something everything here there now later today tonight
tomorrow morning evening seven eight nine ten twelve twenty thirty forty fifty hundred
what when where why who which how many much little lot please yeah yep nope hmm uh
um oh wow cool nice great good fine sure really totally exactly whatever anyway""".split()  # noqa: SIM905

# Sentences that end with a command word but aren't commands given on their own.
ENDS_IN_COMMAND = """We were almost done.
I asked him for help.
It is the one after next.
Dinner is nearly ready.
You can never go back.
They had to stop.
Let's all continue.
My favourite button is pause.
Press the one that says skip.
What is the delivery status?
The last song was slower.
This one is faster.
It says please repeat.
Click on previous.""".splitlines()
