#!/usr/bin/perl
# mbox_quota_cmds.t - QUOTA (RFC 2087): SETQUOTA is for admins only and
# accounts the existing messages of a new root; GETQUOTA for the admin
# and the root's owner, not for others; GETQUOTAROOT names the root of a
# folder; a quota of () removes the limits.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $a = Murder::RawIMAP->connect($n);
$a->login('admin', 'admin-pw');
$a->cmd('CREATE user/alice');
$a->cmd('CREATE user/bob');
my $c = Murder::RawIMAP->connect($n);
$c->login('alice', 'alice-pw');
$c->cmd('CREATE Sub');
my $msg = "Subject: x\r\n\r\n" . ('a' x 2048) . "\r\n";
$c->send("A1 APPEND Sub {" . length($msg) . "+}\r\n$msg\r\n");
$c->until_tag('A1');
like(scalar $c->cmd('SETQUOTA INBOX (STORAGE 10)'), qr/NO \[NOPERM\]/, 'user cannot SETQUOTA');
like(scalar $a->cmd('SETQUOTA user/alice (STORAGE 10 MESSAGE 5)'), qr/OK/, 'admin SETQUOTA');
my ($ok, @u) = $a->cmd('GETQUOTA user/alice');
is($u[0], '* QUOTA "user/alice" (STORAGE 2 10 MESSAGE 1 5)', 'existing message accounted');
($ok, @u) = $c->cmd('GETQUOTAROOT Sub');
is_deeply(\@u, ['* QUOTAROOT "Sub" "INBOX"', '* QUOTA "INBOX" (STORAGE 2 10 MESSAGE 1 5)'],
          'GETQUOTAROOT of a folder');
($ok, @u) = $c->cmd('GETQUOTA INBOX');
like($ok, qr/OK/, 'owner may GETQUOTA');
my $b = Murder::RawIMAP->connect($n);
$b->login('bob', 'bob-pw');
like(scalar $b->cmd('GETQUOTA "Other Users/alice"'), qr/NO/, 'others may not');
like(scalar $a->cmd('GETQUOTA user/bob'), qr/NO \[NONEXISTENT\]/, 'no root');
like(scalar $a->cmd('SETQUOTA user/alice ()'), qr/OK/, 'SETQUOTA ()');
($ok, @u) = $a->cmd('GETQUOTA user/alice');
is($u[0], '* QUOTA "user/alice" ()', 'no limits left');
like(scalar $a->cmd('SETQUOTA user/alice (BOGUS 1)'), qr/BAD/, 'unknown resource');
$n->stop;
done_testing;
