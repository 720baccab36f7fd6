#!/usr/bin/perl
# mbox_select_codes.t - SELECT/EXAMINE responses: FLAGS with keywords,
# PERMANENTFLAGS (\* when read-write, () when read-only), EXISTS,
# RECENT 0, UNSEEN = first unseen message, UIDVALIDITY, UIDNEXT,
# HIGHESTMODSEQ, [READ-WRITE] / [READ-ONLY]; a failed SELECT leaves the
# session unselected; UNSELECT and CLOSE (which expunges \Deleted).
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
my $msg = "Subject: x\r\n\r\nbody\r\n";
my $len = length $msg;
for my $f ('(\Seen)', '(\Seen $Label1)', '()', '(\Deleted)') {
    $c->send("A APPEND INBOX $f {$len+}\r\n$msg\r\n");
    $c->until_tag('A');
}
my ($ok, @u) = $c->cmd('SELECT INBOX');
like($ok, qr/^t\d+ OK \[READ-WRITE\]/, 'SELECT: READ-WRITE');
my %u = map { $_ => 1 } @u;
ok($u{'* FLAGS (\Answered \Flagged \Draft \Deleted \Seen $Label1)'}, 'FLAGS with keyword');
ok($u{'* OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen $Label1 \*)] Ok'},
   'PERMANENTFLAGS');
ok($u{'* 4 EXISTS'}, 'EXISTS');
ok($u{'* 0 RECENT'}, 'RECENT 0');
ok($u{'* OK [UNSEEN 3] Ok'}, 'UNSEEN: first unseen');
ok((grep { /^\* OK \[UIDVALIDITY \d+\] Ok$/ } @u), 'UIDVALIDITY');
ok($u{'* OK [UIDNEXT 5] Ok'}, 'UIDNEXT');
ok((grep { /^\* OK \[HIGHESTMODSEQ \d+\] Ok$/ } @u), 'HIGHESTMODSEQ');
($ok, @u) = $c->cmd('EXAMINE INBOX');
like($ok, qr/OK \[READ-ONLY\]/, 'EXAMINE: READ-ONLY');
ok((grep { $_ eq '* OK [PERMANENTFLAGS ()] Ok' } @u), 'no permanent flags read-only');
like(scalar $c->cmd('CLOSE'), qr/OK/, 'CLOSE after EXAMINE');
($ok, @u) = $c->cmd('STATUS INBOX (MESSAGES)');
is($u[0], '* STATUS "INBOX" (MESSAGES 4)', 'CLOSE of a read-only mailbox expunges nothing');
$c->cmd('SELECT INBOX');
like(scalar $c->cmd('UNSELECT'), qr/OK/, 'UNSELECT');
($ok, @u) = $c->cmd('STATUS INBOX (MESSAGES)');
is($u[0], '* STATUS "INBOX" (MESSAGES 4)', 'UNSELECT expunges nothing');
$c->cmd('SELECT INBOX');
like(scalar $c->cmd('CHECK'), qr/OK/, 'CHECK');
like(scalar $c->cmd('CLOSE'), qr/OK/, 'CLOSE');
($ok, @u) = $c->cmd('STATUS INBOX (MESSAGES)');
is($u[0], '* STATUS "INBOX" (MESSAGES 3)', 'CLOSE expunged the \Deleted message');
like(scalar $c->cmd('CLOSE'), qr/BAD/, 'no longer selected');
$c->cmd('SELECT INBOX');
like(scalar $c->cmd('SELECT nonexistent'), qr/NO \[NONEXISTENT\]/, 'SELECT of a missing mailbox');
like(scalar $c->cmd('CHECK'), qr/BAD/, 'the failed SELECT deselected');
$n->stop;
done_testing;
