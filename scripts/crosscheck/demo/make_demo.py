"""Write the hand-made demo dataset into DIR (default /tmp/xc-demo/data).

The expected exports, computed by hand from docs/RULES.md §4/§5 and the readings in
../README.md, are in expected/; selftest.sh runs reference.py and compares.

Data start = 2024-10 (m01's study event e001; the first activity is 2024-11).
What the members exercise (index 2025 / lights 2025-06):
  m01 attend twice for one activity across a year boundary (counts in 2024), duplicate
      attend, committee/theory_study attend = 1, volunteer_activity attend = 0; dues paid
      late, on the last second, by two rows at one instant written differently, late by
      one second; dues without period (ignored); volunteer 0.333333 h = 0.1666665;
      two evaluations at one instant (event_id decides); arrears 1, absence 1.
  m02 monthly_dues 0 (no points, no arrears); later evaluation stands; absence run 5.
  m03 joined mid-month on the day of a theme day (it qualifies); dues short (4 of 5);
      arrears from the joined month; Jan dues paid late in Feb.
  m04, m09 joined after M / after Y.   m05 new branch B2 (established 2025-04-15).
  m06 member of a unit (member light only), never paid: arrears 9.
  m07 branch B3 established after M: member light only.   m08 direct committee member.
  m11 joined on the last day of M; attends at 2025-07-01T00:00:00 (not visible at June).
  Z1  byte order ('Z1' < 'm03'); dues completed by an advance payment in the month before;
      e114 is in both events files (identical: one row).
  Ties at 3 (Z1, m03, m05), 2 (m07, m10), 1 (m04, m11, m12). G1 has no members."""
import csv
import os
import sys
D = (sys.argv[1] if len(sys.argv) > 1 else "/tmp/xc-demo/data").rstrip("/") + "/"
os.makedirs(D, exist_ok=True)
def write(name, header, rows, bom=False, crlf=False):
    with open(D + name, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n" if crlf else "\n")
        w.writerow(header); w.writerows(rows)

write("orgs.csv", ["org_id","parent_id","name","kind","established_on"], [
    ["D1","","Demo District","district","2000-01-01"],
    ["S1","D1","Street, One","street","2000-01-01"],
    ["C1","S1","Community \"East\"","community","2000-01-01"],
    ["CM1","C1","Committee","committee","2010-01-01"],
    ["B1","CM1","Branch 1","branch","2010-01-01"],
    ["B2","CM1","Branch 2","branch","2025-04-15"],
    ["G1","CM1","General branch","general_branch","2010-01-01"],
    ["B3","CM1","Branch 3","branch","2025-07-01"],
    ["B4","CM1","Branch 4","branch","2010-01-01"],
    ["U1","S1","Unit","unit","2005-01-01"],
], bom=True, crlf=True)

mh = ["member_id","org_id","name","gender","birth_date","joined_on","status","category","monthly_dues"]
write("members.csv", mh, [
    ["m01","B1","Li \"Big\"\nWei","M","1980-01-01","2015-03-01","full","employed","12.5"],
    ["m02","B1","Wang","F","1970-01-01","2020-01-01","full","retired","0"],
    ["m03","B1","Zhang","M","1990-01-01","2025-02-10","probationary","employed","5"],
    ["m04","B1","Zhao","F","1991-01-01","2025-07-01","probationary","student","5"],
    ["m05","B2","Qian","M","1960-01-01","2018-01-01","full","rural","3"],
    ["m06","U1","Sun","F","1985-01-01","2019-05-05","full","employed","1"],
    ["m07","B3","Zhou","M","1950-01-01","2010-01-01","full","retired","2.000000"],
    ["m08","CM1","Wu","F","1975-01-01","2012-01-01","full","employed","10"],
    ["m09","B1","Zheng","M","2000-01-01","2026-01-05","probationary","student","1"],
    ["m10","B1","Feng","F","1988-01-01","2016-01-01","full","mobile","4"],
    ["m11","B1","Chen","M","1999-01-01","2025-06-30","probationary","new_economy","1.5"],
    ["m12","B4","Chu","F","1955-01-01","2020-01-01","full","retired","0.0"],
    ["Z1","B1","Wei","M","1993-01-01","2024-12-01","full","employed","2"],
], crlf=False)

write("activities.csv", ["activity_id","org_id","kind","held_at","title"], [
    ["a01","B1","theme_day","2024-11-20T14:00:00","Theme day, November"],
    ["a02","B1","party_lesson","2024-12-31T20:00:00","Lesson"],
    ["a03","B1","committee_meeting","2025-01-10T09:00:00","Committee"],
    ["a04","B1","theme_day","2025-02-10T08:00:00","Theme day"],
    ["a05","B1","party_congress","2025-03-15 09:00:00","Congress"],
    ["a06","B1","theory_study","2025-03-20T09:00:00","Study"],
    ["a07","B1","org_life_meeting","2025-05-12T09:00:00.5","Org life"],
    ["a08","B1","volunteer_activity","2025-06-01T09:00:00","Volunteer"],
    ["a09","B1","theme_day","2025-06-28T09:00:00","Theme day"],
    ["a10","B1","party_lesson","2025-06-30T23:59:59","Late lesson"],
    ["c01","CM1","committee_meeting","2025-03-05T10:00:00","CM"],
    ["c02","CM1","democratic_evaluation","2025-12-20T10:00:00","Evaluation"],
    ["c03","CM1","committee_meeting","2025-05-30T10:00:00","CM"],
    ["b01","B2","group_meeting","2025-04-20T10:00:00","Group"],
    ["b02","B2","theme_day","2025-07-03T10:00:00","Theme day"],
    ["d01","B4","theme_day","2025-06-15T10:00:00","Theme day"],
])

eh = ["event_id","member_id","kind","occurred_at","activity_id","quantity","period","source"]
E = lambda *r: list(r)
ev24 = [
    E("e001","m01","study","2024-10-15T10:00:00","","","","fenglinghui"),
    E("e002","m01","attend","2024-12-31T23:59:59","a02","","","checkin"),
    E("e030","m02","attend","2024-11-20T14:05:00","a01","","","checkin"),
    E("e110","Z1","dues","2024-12-05T10:00:00","","2","2024-12","fengling_ejia"),
    E("e114","Z1","attend","2025-03-15T09:30:00","a05","","","checkin"),  # also in events-2025.csv
]
ev25 = [
    E("e003","m01","attend","2025-01-01T00:00:00","a02","","","manual"),
    E("e004","m01","attend","2025-01-10T09:05:00","a03","","","checkin"),
    E("e005","m01","attend","2025-02-10T08:10:00","a04","","","checkin"),
    E("e006","m01","attend","2025-02-10T08:20:00","a04","","","manual"),
    E("e007","m01","attend","2025-03-20T09:10:00","a06","","","checkin"),
    E("e008","m01","attend","2025-06-01T09:00:00","a08","","","checkin"),
    E("e009","m01","leave","2025-05-12T08:00:00","a07","","","manual"),
    E("e010","m01","dues","2025-01-05T10:00:00","","12.5","2025-01","fengling_ejia"),
    E("e011","m01","dues","2025-02-10T10:00:00","","5","2025-02","fengling_ejia"),
    E("e012","m01","dues","2025-03-01T00:00:00","","7.5","2025-02","fengling_ejia"),
    E("e013","m01","dues","2025-03-31T23:59:59","","6.25","2025-03","fengling_ejia"),
    E("e014","m01","dues","2025-03-31 23:59:59.000","","6.250000","2025-03","fengling_ejia"),
    E("e015","m01","dues","2025-04-30T23:59:59.999999999","","20","2025-04","fengling_ejia"),
    E("e016","m01","dues","2025-06-01T00:00:00","","12.5","2025-05","fengling_ejia"),
    E("e017","m01","dues","2025-07-01T00:00:00","","12.5","2025-06","fengling_ejia"),
    E("e018","m01","dues","2025-06-15T10:00:00","","12.5","","manual"),
    E("e019","m01","dues","2025-01-02T10:00:00","","12.5","2024-12","fengling_ejia"),
    E("e020","m01","model_post","2025-07-01T10:00:00","","","","fenglinghui"),
    E("e021","m01","study","2025-03-03T10:00:00","","","","fenglinghui"),
    E("e022","m01","study","2025-12-31T23:59:59","","","","fenglinghui"),
    E("e023","m01","study","2026-01-01T00:00:00","","","","fenglinghui"),
    E("e024","m01","volunteer","2025-06-01T12:00:00","","0.333333","","yongzhiyuan"),
    E("e025","m01","volunteer","2025-08-08T12:00:00","","2","","yongzhiyuan"),
    E("e026","m01","evaluation","2026-01-10T10:00:00","","2","2025-12","manual"),
    E("e027","m01","evaluation","2026-01-10T10:00:00","","1","2025-12","manual"),
    E("e028","m01","evaluation","2025-01-05T10:00:00","","4","2024-12","manual"),
    E("e031","m02","dues","2025-03-02T10:00:00","","5","2025-03","fengling_ejia"),
    E("e032","m02","evaluation","2025-12-20T10:00:00","","4","2025-12","manual"),
    E("e033","m02","evaluation","2025-12-19T10:00:00","","3","2025-12","manual"),
    E("e034","m02","volunteer","2025-02-02T10:00:00","","1.5","","yongzhiyuan"),
    E("e040","m03","dues","2025-02-10T12:00:00","","5","2025-02","fengling_ejia"),
    E("e041","m03","dues","2025-03-05T12:00:00","","2","2025-03","fengling_ejia"),
    E("e042","m03","dues","2025-03-06T12:00:00","","2","2025-03","fengling_ejia"),
    E("e043","m03","dues","2025-02-11T12:00:00","","5","2025-01","fengling_ejia"),
    E("e044","m03","attend","2025-02-10T08:05:00","a04","","","checkin"),
    E("e045","m03","attend","2025-03-15 09:00:00","a05","","","checkin"),
    E("e050","m04","attend","2025-06-30T23:59:59","a10","","","checkin"),
    E("e060","m05","dues","2025-06-30T10:00:00","","3","2025-06","fengling_ejia"),
    E("e061","m05","model_post","2025-05-05T10:00:00","","","","fenglinghui"),
    E("e070","m07","dues","2025-06-01T10:00:00","","2","2025-06","fengling_ejia"),
    E("e071","m07","dues","2025-05-01T00:00:00","","1","2025-05","fengling_ejia"),
    E("e072","m07","dues","2025-05-01T00:00:00.000","","1","2025-05","manual"),
    E("e080","m08","dues","2025-04-10T10:00:00","","10","2025-04","fengling_ejia"),
    E("e081","m08","dues","2025-05-10T10:00:00","","10","2025-05","fengling_ejia"),
    E("e082","m08","attend","2025-03-05T10:05:00","c01","","","checkin"),
    E("e083","m08","attend","2025-12-20T10:05:00","c02","","","checkin"),
    E("e084","m08","evaluation","2026-01-05T10:00:00","","3.0","2025-12","manual"),
    E("e085","m08","evaluation","2026-01-04T10:00:00","","1","2025-12","manual"),
    E("e090","m09","study","2025-05-05T10:00:00","","","","fenglinghui"),
    E("e100","m10","dues","2025-06-20T10:00:00","","4","2025-06","fengling_ejia"),
    E("e101","m10","attend","2025-06-28T09:01:00","a09","","","checkin"),
    E("e111","Z1","dues","2025-04-01T10:00:00","","2","2025-04","fengling_ejia"),
    E("e112","Z1","dues","2025-03-28T10:00:00","","1","2025-04","fengling_ejia"),
    E("e113","Z1","leave","2025-06-30T08:00:00","a10","","","manual"),
    E("e114","Z1","attend","2025-03-15T09:30:00","a05","","","checkin"),  # duplicate of events-2024.csv
    E("e115","Z1","study","2025-01-01T00:00:00","","","","fenglinghui"),
    E("e116","Z1","study","2025-09-09T10:00:00","","","","fenglinghui"),
    E("e120","m11","attend","2025-07-01T00:00:00","a10","","","checkin"),
    E("e130","m12","attend","2025-06-15T10:10:00","d01","","","checkin"),
]
write("events-2024.csv", eh, ev24, bom=True, crlf=True)
write("events-2025.csv", eh, ev25)
