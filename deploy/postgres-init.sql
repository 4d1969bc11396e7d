-- Run once by the postgres image on an empty volume: Prefect's own database next to migwatch's.
CREATE DATABASE prefect OWNER migwatch;
