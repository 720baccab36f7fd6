#!/usr/bin/perl
# mbox_list_patterns.t - LIST with '*' and '%', a reference argument,
# case-insensitive INBOX, \HasChildren/\HasNoChildren, the empty pattern
# (hierarchy delimiter), modified UTF-7 names, and LIST-EXTENDED:
# selection SUBSCRIBED (+RECURSIVEMATCH, CHILDINFO), SPECIAL-USE, and
# return options CHILDREN, SUBSCRIBED, STATUS, SPECIAL-USE.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd('CREATE user/alice');
my $c = Murder::RawIMAP->connect($n);
$c->login('alice', 'alice-pw');
$c->cmd($_) for ('CREATE Work', 'CREATE Work/Projects', 'CREATE Work/Old',
                 'CREATE "Sent" (USE (\Sent))', 'CREATE "Caf&AOk-"',
                 'SUBSCRIBE Work/Projects');
my ($ok, @u) = $c->cmd('LIST "" "%"');
is_deeply(\@u, ['* LIST (\HasNoChildren) "/" "INBOX"',
                '* LIST (\HasNoChildren) "/" "Caf&AOk-"',
                '* LIST (\HasNoChildren \Sent) "/" "Sent"',
                '* LIST (\HasChildren) "/" "Work"'], 'LIST "" %');
($ok, @u) = $c->cmd('LIST "Work/" "%"');
is_deeply(\@u, ['* LIST (\HasNoChildren) "/" "Work/Old"',
                '* LIST (\HasNoChildren) "/" "Work/Projects"'], 'reference');
($ok, @u) = $c->cmd('LIST "" "inbox"');
is_deeply(\@u, ['* LIST (\HasNoChildren) "/" "INBOX"'], 'INBOX in any case');
($ok, @u) = $c->cmd('LIST "" ""');
is_deeply(\@u, ['* LIST (\Noselect) "/" ""'], 'empty pattern: the delimiter');
($ok, @u) = $c->cmd('LIST "" "W*s"');
is_deeply(\@u, ['* LIST (\HasNoChildren) "/" "Work/Projects"'], '* crosses levels');
($ok, @u) = $c->cmd('LIST (SUBSCRIBED) "" "*"');
is_deeply(\@u, ['* LIST (\HasNoChildren \Subscribed) "/" "Work/Projects"'],
          'SUBSCRIBED selection');
($ok, @u) = $c->cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"');
is_deeply(\@u, ['* LIST (\HasChildren) "/" "Work" ("CHILDINFO" ("SUBSCRIBED"))'],
          'RECURSIVEMATCH: CHILDINFO on the parent');
($ok, @u) = $c->cmd('LIST (SPECIAL-USE) "" "*"');
is_deeply(\@u, ['* LIST (\HasNoChildren \Sent) "/" "Sent"'], 'SPECIAL-USE selection');
($ok, @u) = $c->cmd('LIST "" "Work*" RETURN (CHILDREN SUBSCRIBED STATUS (MESSAGES UIDNEXT))');
is_deeply(\@u, ['* LIST (\HasChildren) "/" "Work"',
                '* STATUS "Work" (MESSAGES 0 UIDNEXT 1)',
                '* LIST (\HasNoChildren) "/" "Work/Old"',
                '* STATUS "Work/Old" (MESSAGES 0 UIDNEXT 1)',
                '* LIST (\HasNoChildren \Subscribed) "/" "Work/Projects"',
                '* STATUS "Work/Projects" (MESSAGES 0 UIDNEXT 1)'],
          'return options');
($ok, @u) = $c->cmd('LIST "" ("Sent" "Work")');
is(scalar @u, 2, 'several patterns');
like(scalar $c->cmd('LIST (RECURSIVEMATCH) "" "*"'), qr/BAD/, 'RECURSIVEMATCH alone is BAD');
like(scalar $c->cmd('LIST "" "*" RETURN (BOGUS)'), qr/BAD/, 'unknown return option is BAD');
$n->stop;
done_testing;
