-- Recent queue waits (the widget's wait estimate) read the accepts of the last hour.
CREATE INDEX transitions_accepted ON transitions (at) WHERE from_owner = 'waiting' AND to_owner = 'human';
