#!/usr/bin/perl
# unknown_and_state.t - unknown commands are "BAD Unknown command"; state
# checks happen in the dispatcher with Cyrus's wording (SELECT and
# NAMESPACE before login: "Please login first"; UID FETCH after login
# without a mailbox: "Please select a mailbox first"; LOGIN after login:
# "Already logged in"); known commands not implemented yet answer
# "NO [CANNOT]" after login.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { maxbadcommands_preauth => 20 });
my $c = Murder::RawIMAP->connect($n);
like(scalar $c->cmd('FROBNICATE'), qr/^t1 BAD Unknown command/, 'unknown command');
like(scalar $c->cmd('SELECT INBOX'), qr/^t2 BAD Please login first/, 'SELECT before login');
like(scalar $c->cmd('NAMESPACE'), qr/^t3 BAD Please login first/, 'NAMESPACE before login');
like(scalar $c->cmd('UID FETCH 1 FLAGS'), qr/^t4 BAD Please login first/, 'UID FETCH before login');
like(scalar $c->cmd('ENABLE CONDSTORE'), qr/^t5 BAD Please login first/, 'ENABLE before login');
like($c->login('alice', 'alice-pw'), qr/^t6 OK/, 'login');
like(scalar $c->cmd('GETMETADATA "" /shared/comment'), qr/^t7 NO \[CANNOT\]/, 'GETMETADATA (known, not implemented yet): NO [CANNOT]');
like(scalar $c->cmd('UID FETCH 1 FLAGS'), qr/^t8 BAD Please select a mailbox first/,
     'UID FETCH without a mailbox');
like(scalar $c->cmd('FETCH 1 FLAGS'), qr/^t9 BAD Please select a mailbox first/,
     'FETCH without a mailbox');
like(scalar $c->cmd('LOGIN alice alice-pw'), qr/^t10 BAD Already logged in/, 'LOGIN again');
like(scalar $c->cmd('AUTHENTICATE PLAIN'), qr/^t11 BAD Already logged in/, 'AUTHENTICATE again');
like(scalar $c->cmd('FROBNICATE'), qr/^t12 BAD Unknown command/, 'unknown after login');
like(scalar $c->cmd('NOOP'), qr/^t13 OK/, 'session goes on');
$n->stop;
done_testing;
