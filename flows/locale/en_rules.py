"""English texts of the red-flag and cause rules (REFERENCE.md §1.2, §2.4, §5.3, §8)."""

_TIERS: dict[str, str] = {
    # REFERENCE.md §5.3, word for word where the reference gives the wording.
    "rules.tier.emergency": (
        "⚠️ These symptoms can be a medical emergency (for example, nerve compression that "
        "needs treatment within hours). Call {emergency_number} or go to the nearest Emergency "
        "Department now. Don't drive yourself if your legs are weak. Take your surgery details "
        "with you."
    ),
    "rules.tier.urgent": (
        "Please contact your surgical team or the on-call spinal service today. If you can't "
        "reach them, call {same_day}. If things get worse, call {emergency_number}."
    ),
    "rules.tier.soon": (
        "Please let your surgeon's team know within the next few days. Here is a summary you "
        "can send them:"
    ),
    "rules.tier.routine": (
        "Nothing you told me needs urgent care right now. If anything changes, or you are "
        "worried, contact your surgical team. In an emergency, call {emergency_number}."
    ),
    "rules.action.emergency": (
        "Call {emergency_number} or go to the nearest Emergency Department now."
    ),
    "rules.action.urgent": ("Contact your surgical team or the on-call spinal service today."),
    "rules.action.soon": "Let your surgeon's team know within the next few days.",
    "rules.emergency_number.generic": (
        "your local emergency number (112 in Europe, 911 in North America, 999 in the UK)"
    ),
    "rules.same_day.generic": "your doctor or an urgent care service",
    "rules.crisis_line.generic": "your local crisis line",
    "rules.if_in_doubt": "If you have any doubt, go to the Emergency Department now.",
    "rules.why_heading": "Why:",
    "rules.pointer.emergency": (
        "⚠️ Call {emergency_number} or go to the nearest Emergency Department now. What to do "
        "is in the message below."
    ),
    "rules.pointer.same_day": (
        "⚠️ Contact your surgical team today. What to do is in the message below."
    ),
    "rules.pointer.soon": "Please tell your surgeon's team within days: see the message below.",
    "rules.pointer.crisis": (
        "💙 You don't have to face this alone: please read the message below. You can call "
        "{crisis_line} at any time."
    ),
    "rules.pointer.trend": "See the message below.",
    "rules.other_warnings": (
        "You told me about a warning symptom your team should know about: {symptoms}."
    ),
    "rules.known": (
        "You said these are not new and your team already knows about them; please mention "
        "them when you next speak to your surgeon's team: {symptoms}."
    ),
    # REFERENCE.md §8.5: a cause whose usual first step can't wait raises the tier.
    "rules.cause_floor.first": (
        "Your answers fit this possible cause best: {cause}. Its usual first step: {step}"
    ),
    "rules.cause_floor.listed": (
        "One possible cause on your list is one your team should rule out soon: {cause}."
    ),
}

_CRISIS: dict[str, str] = {
    # REFERENCE.md §8.3 and §1.2 RF-MH: its own message, about safety and support, naming the
    # crisis line and the emergency number of the patient's country (§8.2) [S29].
    "rules.crisis.message": (
        "💙 Thank you for telling me. Living with pain can bring thoughts like these, and you "
        "deserve support with them right now. You don't have to face this alone.\n"
        "Call {crisis_line} to talk to someone, at any time, day or night.\n"
        "If you might act on these thoughts, or you can't keep yourself safe, call "
        "{emergency_number} or go to the nearest Emergency Department now.\n"
        "If you can, tell someone you trust how you feel, and ask them to stay with you."
    ),
    "rules.crisis.keep_going": (
        "When you feel ready, you can carry on with the check, or stop here."
    ),
    "rules.crisis.continue": "Continue the check",
    "rules.crisis.stop": "Stop here",
    "rules.crisis.stopped": "We have stopped the check here.",
    "rules.crisis.reminder": (
        "💙 Please keep yourself safe: you can call {crisis_line} at any time, and if you might "
        "act on your thoughts, call {emergency_number}."
    ),
    "rules.crisis.pattern_intro": (
        "Now a few questions about your pain, to list possible reasons your surgeon may want "
        "to check."
    ),
    # REFERENCE.md §8.7: a diary red flag is not cancelled by "not new" in /check.
    "rules.diary_kept": (
        "You ticked {symptom} in your diary on {date}, so I count it as new and keep the "
        "advice for it."
    ),
}

_FLAGS: dict[str, str] = {
    "rules.flag.rf_ces_1.name": "New bladder problems",
    "rules.flag.rf_ces_1.message": (
        "New bladder problems can be a sign of pressure on the nerves at the bottom of the "
        "spine (cauda equina syndrome)."
    ),
    "rules.flag.rf_ces_2.name": "New numbness in the saddle area",
    "rules.flag.rf_ces_2.message": (
        "New numbness around your genitals, back passage or buttocks can be a sign of pressure "
        "on the nerves at the bottom of the spine (cauda equina syndrome)."
    ),
    "rules.flag.rf_ces_3.name": "New bowel problems",
    "rules.flag.rf_ces_3.message": (
        "New problems controlling or feeling your bowels can be a sign of pressure on the "
        "nerves at the bottom of the spine (cauda equina syndrome)."
    ),
    "rules.flag.rf_ces_4.name": "New loss of sexual feeling or function",
    "rules.flag.rf_ces_4.message": (
        "New loss of feeling in your genitals, or new trouble with erection or ejaculation, can "
        "be a sign of pressure on the nerves at the bottom of the spine (cauda equina syndrome)."
    ),
    "rules.flag.rf_ces_5.name": "Pain, numbness or weakness in both legs",
    "rules.flag.rf_ces_5.message": (
        "Pain, numbness or weakness going down both legs can be a sign of pressure on the "
        "nerves in your lower back."
    ),
    "rules.flag.rf_neu_1.name": "A leg getting weaker",
    "rules.flag.rf_neu_1.message": (
        "A leg that is getting weaker can be a sign that a nerve is being squeezed."
    ),
    "rules.flag.rf_haem.name": "Sudden severe back pain in the first 2 weeks after surgery",
    "rules.flag.rf_haem.message": (
        "Sudden severe back pain in the first 2 weeks after surgery can be a sign of bleeding "
        "that presses on the nerves (a spinal haematoma), which is best treated within hours. "
        "If your legs get weak or numb, or your bladder or bowels change, that is an "
        "emergency: go to the Emergency Department."
    ),
    "rules.flag.rf_pain.name": "Sudden or rapidly worsening severe back pain",
    "rules.flag.rf_pain.message": (
        "Sudden severe back pain, or back pain that is quickly getting much worse, needs a "
        "doctor to check it today."
    ),
    "rules.flag.rf_sep.name": "Signs of sepsis",
    "rules.flag.rf_sep.message": (
        "These can be signs of sepsis, a life-threatening reaction to an infection."
    ),
    "rules.flag.rf_pe.name": "Signs of a blood clot in the lungs",
    "rules.flag.rf_pe.message": (
        "These can be signs of a blood clot in the lungs (pulmonary embolism)."
    ),
    "rules.flag.rf_dvt.name": "A swollen, painful leg",
    "rules.flag.rf_dvt.message": (
        "A swollen, painful leg can be a sign of a blood clot in the leg (deep vein "
        "thrombosis). It needs a scan, usually within 24 hours."
    ),
    "rules.flag.rf_ssi_1.name": "Signs of a wound infection",
    "rules.flag.rf_ssi_1.message": (
        "A wound that leaks pus, opens, or gets more red, hot, swollen or painful, or a "
        "temperature above 38 °C, can be a sign of an infection in or around the wound."
    ),
    "rules.flag.rf_ssi_2.name": "Fluid coming from the wound",
    "rules.flag.rf_ssi_2.message": (
        "Fluid that keeps coming from the wound, or fluid that is cloudy or smelly, can be a "
        "sign of an infection or another wound problem."
    ),
    "rules.flag.rf_csf.name": "Possible leak of spinal fluid",
    "rules.flag.rf_csf.message": (
        "A headache that eases when you lie down, or clear watery fluid from the wound, can be "
        "a sign that the fluid around the nerves is leaking (a dural tear)."
    ),
    "rules.flag.rf_inf_late.name": "Constant pain with fever or feeling unwell",
    "rules.flag.rf_inf_late.message": (
        "Constant pain that doesn't ease with rest or at night, together with fever, sweats or "
        "feeling unwell, can be a sign of an infection in the spine."
    ),
    "rules.flag.rf_ca.name": "Pain that needs checking for other serious causes",
    "rules.flag.rf_ca.message": (
        "With your answers, your team should check for other serious causes of pain, "
        "including cancer affecting the spine. This should happen within 24 hours."
    ),
    "rules.flag.rf_fx.name": "A fall, injury or sudden 'snap'",
    "rules.flag.rf_fx.message": (
        "A fall, an injury or a sudden 'snap' can break a bone in the spine or damage the "
        "implant. You may need an X-ray today."
    ),
    "rules.flag.rf_hw.name": "A new lump or clunk over the implant",
    "rules.flag.rf_hw.message": (
        "A new lump, sharp point or clunk over your spine can be a sign that part of the "
        "implant has moved, loosened or broken."
    ),
    "rules.flag.rf_opi.name": "Very drowsy or slow breathing after pain medicine",
    "rules.flag.rf_opi.message": (
        "Being very drowsy, hard to wake or breathing slowly after pain medicine can be a "
        "dangerous reaction to the medicine. If someone is with you, ask them to call for help."
    ),
    "rules.flag.rf_mh.name": "Thoughts of ending life, or of not being safe",
}

_FINDINGS: dict[str, str] = {
    "rules.finding.bladder_change": "new bladder problems",
    "rules.finding.saddle_numbness": "new numbness in the saddle area",
    "rules.finding.bowel_change": "new bowel problems",
    "rules.finding.sexual_numbness": "new loss of sexual feeling or function",
    "rules.finding.both_legs_new": "new pain, numbness or weakness in both legs",
    "rules.finding.both_legs_gradual": "worsening pain, numbness or weakness in both legs",
    "rules.finding.leg_weakness": "a leg getting weaker",
    "rules.finding.leg_weakness_rapid": "a leg getting weaker quickly",
    "rules.finding.sudden_severe_pain": "sudden or rapidly worsening severe back pain",
    "rules.finding.sepsis_signs": "signs of sepsis",
    "rules.finding.pe_signs": "sudden breathlessness or chest pain",
    "rules.finding.opioid_drowsiness": "drowsiness or slow breathing after pain medicine",
    "rules.finding.self_harm_thoughts": "thoughts of ending your life",
    "rules.finding.calf_swelling": "a swollen, painful leg",
    "rules.finding.wound_infection_signs": "signs of a wound infection",
    "rules.finding.fever": "a temperature above 38 °C",
    "rules.finding.wound_fluid_clear": "clear fluid from the wound",
    "rules.finding.wound_fluid_cloudy": "cloudy or smelly fluid from the wound",
    "rules.finding.positional_headache": "a headache that eases lying down",
    "rules.finding.feeling_unwell": "feeling generally unwell",
    "rules.finding.weight_loss": "weight loss without trying",
    "rules.finding.fall_or_snap": "a fall, injury or sudden 'snap'",
    "rules.finding.implant_lump_or_clunk": "a new lump or clunk over the implant",
}

_QUESTIONS: dict[str, str] = {
    # REFERENCE.md §1.2 "Button question(s)", shortened; §1.1 rule 5 asks "new or worse" first.
    "rules.q.new_or_worse": "Is this new, or worse than before?",
    "rules.q.ces_bladder": (
        "Since your pain started or changed, have you had any new bladder problems? For "
        "example: trouble starting to pee, a weak or stopping flow, not being able to pee, "
        "leaking without knowing, or not knowing if your bladder is full or empty."
    ),
    "rules.q.ces_saddle": (
        "Any new numbness or pins and needles between your inner thighs, around your genitals "
        "or back passage, or in your buttocks? Or does toilet paper feel different when you "
        "wipe?"
    ),
    "rules.q.ces_bowel": (
        "Any new problems controlling your bowels, leaking, or not feeling when you pass a "
        "bowel motion?"
    ),
    "rules.q.ces_sexual": (
        "Any new loss of feeling in your genitals during sex, or new trouble getting an "
        "erection or ejaculating?"
    ),
    "rules.q.both_legs": "Do you now have pain, numbness or weakness going down both legs?",
    "rules.q.both_legs.when": (
        "Did this start in the last few days, or has it been slowly getting worse over weeks?"
    ),
    "rules.q.both_legs.recent": "In the last few days",
    "rules.q.both_legs.gradual": "Slowly, over weeks",
    "rules.q.leg_weakness": (
        "Is a leg getting weaker? For example: your foot slaps or drags, you trip, your knee "
        "gives way, or you can't stand on your heels or toes."
    ),
    "rules.q.leg_weakness.when": "Did it start or get worse in the last few hours or days?",
    "rules.q.leg_weakness.rapid": "Yes, in hours or days",
    "rules.q.leg_weakness.slow": "No, more slowly",
    "rules.q.sudden_pain": (
        "Have you had sudden, severe new back pain, or back pain that is quickly getting much "
        "worse?"
    ),
    "rules.q.sepsis": (
        "Do you have any of these: slurred speech or confusion; extreme shivering or muscle "
        "pain; no pee all day; severe breathlessness; mottled or discoloured skin; a feeling "
        "you might die?"
    ),
    "rules.q.pe": (
        "Do you have sudden breathlessness, chest pain that is worse when you breathe in, "
        "coughing up blood, or fainting?"
    ),
    "rules.q.opioid": (
        "After your pain medicine, are you (or is the person with you) very drowsy, hard to "
        "wake, or breathing slowly?"
    ),
    "rules.q.self_harm": (
        "Are you having thoughts of ending your life, or that you can't keep yourself safe?"
    ),
    "rules.q.calf": (
        "Is one leg (calf or thigh) swollen, with throbbing or cramping pain, warm skin, or red "
        "or darker skin around the sore area?"
    ),
    "rules.q.wound_infection": (
        "Is your wound leaking pus (thick, cloudy, yellow or green), opening up, or getting "
        "more red, hot, swollen or painful?"
    ),
    "rules.q.fever": "Do you have a temperature above 38 °C (100.4 °F)?",
    "rules.q.wound_fluid_clear": "Is clear or blood-stained fluid still coming from your wound?",
    "rules.q.wound_fluid_cloudy": "Is any fluid from your wound cloudy or smelly?",
    "rules.q.headache": (
        "Do you have a headache that is worse when you sit or stand up, and better when you "
        "lie down?"
    ),
    "rules.q.unwell": "Do you have sweats or chills, or feel generally unwell?",
    "rules.q.cancer": "Have you ever had cancer?",
    "rules.q.weight_loss": "Have you lost weight without trying?",
    "rules.q.fall": (
        "Have you had a fall or injury, or a sudden new severe pain like a 'snap' or 'crack'?"
    ),
    "rules.q.implant": (
        "Can you feel or see a new lump or sharp point under the skin over your spine, or feel "
        "a new clunk or click when you move?"
    ),
    # REFERENCE.md §2.3 input features, in patient wording.
    "rules.pq.never_improved": "Has your pain never really got better since the operation?",
    "rules.pq.better_then_returned": (
        "Was your pain clearly better for a while (a month or more), and then came back?"
    ),
    "rules.pq.pain_mostly_back": "Is the pain mostly in your back?",
    "rules.pq.pain_one_leg": "Is the pain mostly in one leg, going below the knee?",
    "rules.pq.pain_both_legs": "Is the pain in both legs?",
    "rules.pq.pain_buttock_groin": "Is the pain mostly in one buttock or groin, below your belt?",
    "rules.pq.pain_different_from_before": (
        "Does the pain feel different, or sit in a different place, from the pain you had "
        "before the operation?"
    ),
    "rules.pq.pain_mechanical": (
        "Is it worse when you bend, lift or stand, and better when you lie down?"
    ),
    "rules.pq.pain_neuropathic": (
        "Does it burn, feel electric, tingle like pins and needles, feel numb, or hurt when "
        "lightly touched?"
    ),
    "rules.pq.pain_walking_relieved_sitting": (
        "Do your legs hurt more when you walk or stand, and feel better when you sit or lean "
        "forward?"
    ),
    "rules.pq.pain_constant_night": (
        "Is the pain there all the time, even when you rest and at night?"
    ),
    "rules.pq.muscle_tightness": (
        "Are your back muscles sore and tight, and worse when you stay in one position?"
    ),
    "rules.pq.stooped_posture": (
        "Is it hard to stand up straight, or do you tire when standing and lean forward?"
    ),
}

_REASONS: dict[str, str] = {
    "rules.why.t0": "your pain never got better after the operation",
    "rules.why.t1": "your operation was less than 6 weeks ago",
    "rules.why.t2": "your operation was {weeks} weeks ago",
    "rules.why.t3": "your operation was about {months} months ago",
    "rules.why.t4": "your operation was about {months} months ago",
    "rules.why.t5": "your operation was more than {years} years ago",
    "rules.why.t2.range": "your operation was 6 weeks to 3 months ago",
    "rules.why.t3.range": "your operation was 3 to 12 months ago",
    "rules.why.t4.range": "your operation was 1 to 2 years ago",
    "rules.why.t5.range": "your operation was more than 2 years ago",
    "rules.why.red_flag": "a warning sign you told me about can point to this",
    "rules.why.c1": "it was better for a while, then came back",
    "rules.why.c3": "it started after a fall, lift or 'snap'",
    "rules.why.l1": "the pain is mostly in your back",
    "rules.why.l2": "the pain is mostly in one leg",
    "rules.why.l3": "the pain is in both legs",
    "rules.why.l4": "the pain is in one buttock or groin",
    "rules.why.l5": "the pain is different from before the operation",
    "rules.why.q1": "it is worse when you bend, lift or stand, and better lying down",
    "rules.why.q2": "it burns, tingles, or feels electric or numb",
    "rules.why.q3": "your legs hurt more walking or standing, and ease when you sit",
    "rules.why.q4": "it is there all the time, even at rest and at night",
    "rules.why.q5": "you notice a lump, clunk or click over the operated area",
    "rules.why.q6": "your muscles feel sore and tight, worse in one position",
    "rules.why.q7": "it is hard to stand up straight, or you tire when standing",
    "rules.why.s1": "you have had a temperature",
    "rules.why.s2": "you have had a wound problem",
    "rules.why.r1": "you smoke or use nicotine",
    "rules.why.r2": "you have diabetes",
    "rules.why.r3": "you have osteoporosis or take steroids",
    "rules.why.r4": "your BMI is over 30",
    "rules.why.r5": "3 or more levels were fused",
    "rules.why.r6": "the fusion goes down to the sacrum",
    "rules.why.r7": "you are over 65",
    "rules.why.r8": "you took anti-inflammatory painkillers for a long time after surgery",
    "rules.why.r9": "you had an earlier disc operation at or next to this level",
    "rules.why.r10": "your immune system is weakened",
    "rules.why.r11": "low mood, worry or stress",
}

_CAUSES: dict[str, str] = {
    "rules.causes.heading": ("Possible reasons your surgeon may want to check (not a diagnosis):"),
    "rules.causes.line": "• {cause}: {why}.",
    "rules.causes.tests": "Tests they might consider: {tests}.",
    "rules.causes.support": (
        "It may also help to ask about pain-management or psychology support alongside this."
    ),
    # REFERENCE.md §2.2 A–L and §2.4
    "rules.cause.missed_pain_source.name": (
        "A pain source the operation didn't treat, or a technical problem"
    ),
    "rules.cause.missed_pain_source.first_line": "Treatment aimed at the real pain source.",
    "rules.cause.missed_pain_source.advanced": (
        "Another operation only for a problem that can be shown and corrected."
    ),
    "rules.cause.pseudarthrosis.name": (
        "The bones may not have fused fully (non-union, pseudarthrosis)"
    ),
    "rules.cause.pseudarthrosis.first_line": (
        "Stopping smoking, vitamin D and bone health, avoiding long courses of "
        "anti-inflammatory painkillers."
    ),
    "rules.cause.pseudarthrosis.advanced": (
        "Revision surgery for a non-union that causes symptoms and is confirmed on CT at 12 "
        "months or later."
    ),
    "rules.cause.hardware_failure.name": (
        "A screw or rod may have loosened, broken or moved (hardware problem)"
    ),
    "rules.cause.hardware_failure.first_line": (
        "Watching and waiting if the spine is fused and symptoms are mild."
    ),
    "rules.cause.hardware_failure.advanced": (
        "Revision for loosening that causes symptoms, breakage with non-union, or infection."
    ),
    "rules.cause.adjacent_segment_disease.name": (
        "Wear at the level above or below the fusion (adjacent segment disease)"
    ),
    "rules.cause.adjacent_segment_disease.first_line": (
        "Exercise-based rehabilitation, medicines, a targeted injection."
    ),
    "rules.cause.adjacent_segment_disease.advanced": (
        "Surgery for nerve pressure or instability that matches the symptoms."
    ),
    "rules.cause.recurrent_compression.name": (
        "A nerve still or again being squeezed, for example by a disc or narrowing"
    ),
    "rules.cause.recurrent_compression.first_line": (
        "A trial of non-surgical care; an epidural injection for severe sciatica."
    ),
    "rules.cause.recurrent_compression.advanced": (
        "Repeat disc surgery or fusion if this doesn't help or weakness appears."
    ),
    "rules.cause.epidural_fibrosis.name": "Scar tissue around a nerve (epidural fibrosis)",
    "rules.cause.epidural_fibrosis.first_line": ("Nerve pain treatment and rehabilitation."),
    "rules.cause.epidural_fibrosis.advanced": (
        "Usually not surgery; sometimes adhesiolysis, pulsed radiofrequency or spinal cord "
        "stimulation."
    ),
    "rules.cause.infection.name": "An infection around the spine or implant",
    "rules.cause.infection.first_line": "A review by the surgical team the same day.",
    "rules.cause.infection.advanced": (
        "Surgery to clean the area, sometimes removing the implant, and long antibiotics."
    ),
    "rules.cause.sacroiliac_joint.name": (
        "Pain from the joint between the spine and pelvis (sacroiliac joint)"
    ),
    "rules.cause.sacroiliac_joint.first_line": (
        "Physiotherapy, an injection, radiofrequency treatment."
    ),
    "rules.cause.sacroiliac_joint.advanced": "Sacroiliac joint fusion (NICE IPG578).",
    "rules.cause.neuropathic_pain.name": "Nerve pain from an irritated or injured nerve root",
    "rules.cause.neuropathic_pain.first_line": (
        "The pain team; NICE (2020) limits gabapentin-type medicines for sciatica."
    ),
    "rules.cause.neuropathic_pain.advanced": (
        "Spinal cord stimulation if the NICE TA159 criteria are met."
    ),
    "rules.cause.myofascial_pain.name": "Sore, tight or weakened back muscles",
    "rules.cause.myofascial_pain.first_line": "A structured exercise programme.",
    "rules.cause.myofascial_pain.advanced": "No operation is used for this.",
    "rules.cause.sagittal_imbalance.name": (
        "The spine not balancing well when you stand, or a problem just above the fusion"
    ),
    "rules.cause.sagittal_imbalance.first_line": "Bone health treatment.",
    "rules.cause.sagittal_imbalance.advanced": (
        "Revision or extending the fusion for a worsening curve or nerve problems."
    ),
    "rules.cause.psychosocial_factors.name": (
        "Stress, low mood or worry making the pain worse (this is real and treatable)"
    ),
    "rules.cause.psychosocial_factors.first_line": (
        "A combined physical and psychological programme."
    ),
    "rules.cause.psychosocial_factors.advanced": "No operation is used for this.",
    # REFERENCE.md §2.4 "Tests to ask about"
    "rules.test.op_review": "a review of the operation notes and the X-rays after surgery",
    "rules.test.ct": "a CT scan",
    "rules.test.mri": "an MRI scan",
    "rules.test.block": "a diagnostic injection (block) to find the pain source",
    "rules.test.fine_ct": "a fine-cut CT scan",
    "rules.test.flex_ext_xray": "X-rays bending forwards and backwards",
    "rules.test.crp_esr": "blood tests for infection (CRP, ESR)",
    "rules.test.bone": "vitamin D and a bone density scan (DEXA)",
    "rules.test.xray_halo": "an X-ray looking for loosening around the screws",
    "rules.test.standing_flex_ext_xray": ("standing X-rays, also bending forwards and backwards"),
    "rules.test.mri_gadolinium": "an MRI scan with contrast (gadolinium)",
    "rules.test.crp_trend": "repeated blood tests for infection (CRP, ESR)",
    "rules.test.mri_contrast": "an MRI scan with contrast",
    "rules.test.cultures": "cultures (samples grown in the lab)",
    "rules.test.sij_provocation": "examination tests of the sacroiliac joint",
    "rules.test.sij_block": "two diagnostic injections into the sacroiliac joint",
    "rules.test.neuropathic_screen": "a nerve pain questionnaire (DN4 or S-LANSS)",
    "rules.test.examination": "an examination",
    "rules.test.whole_spine_xray": "a standing X-ray of the whole spine",
    "rules.test.bone_density": "a bone density scan",
    "rules.test.mood_screen": "mood and risk questionnaires (PHQ-9, STarT Back)",
}

MESSAGES: dict[str, str] = {
    **_TIERS,
    **_CRISIS,
    **_FLAGS,
    **_FINDINGS,
    **_QUESTIONS,
    **_REASONS,
    **_CAUSES,
}
