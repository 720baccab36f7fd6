#!/usr/bin/perl
# in_use.t - one POP3 session per maildrop (RFC 1939 section 8): a second
# login while the first session is in TRANSACTION gets "-ERR [IN-USE]" and
# stays in AUTHORIZATION; once the first session QUITs (or drops), the
# login works.  An IMAP session on the INBOX does not block POP3.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::POP3;
use Murder::MsgIMAP;
use Murder::Util qw(wait_for);

skip_unless_built(qw(master imapd pop3d));

my $n = Murder::POP3::node(users => ['alice', 'bob']);
my $i = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
my $c = Murder::POP3->connect($n);
like($c->login('alice'), qr/^\+OK/, 'first session, with IMAP open');
my $d = Murder::POP3->connect($n);
like($d->login('alice'), qr/^-ERR \[IN-USE\] /, 'second session: IN-USE');
like($d->cmd('STAT'), qr/^-ERR /, 'still in AUTHORIZATION');
my $b = Murder::POP3->connect($n);
like($b->login('bob'), qr/^\+OK/, 'another user is not blocked');
like($c->cmd('QUIT'), qr/^\+OK/, 'first session quits');
ok($c->at_eof, 'closed');
like($d->login('alice'), qr/^\+OK/, 'now the login works');
$d->close;
my $e = Murder::POP3->connect($n);
my $r;
ok(wait_for(sub { $r = $e->login('alice'); $r =~ /^\+OK/ }, 10),
   'lock released when a session drops');
$n->stop;
done_testing;
