#!/usr/bin/perl
# mbox_create_rename_delete.t - a user creates nested folders (missing
# levels are not created: they list as \Noselect), renames a folder with
# its children, deletes a folder while its child stays, cannot delete
# INBOX; RENAME INBOX moves the messages and leaves an empty INBOX.
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
my $t = 1;
sub names { my @u = @_; return [map { /"([^"]*)"$/ ? $1 : $_ } @u] }
like(scalar $c->cmd('CREATE a/b/c'), qr/OK/, 'CREATE a/b/c');
like(scalar $c->cmd('CREATE a/'), qr/OK/, 'CREATE a/ (trailing separator dropped)');
my ($ok, @u) = $c->cmd('LIST "" "a/%"');
is_deeply(\@u, ['* LIST (\Noselect \HasChildren) "/" "a/b"'], 'missing level is \Noselect');
like(scalar $c->cmd('RENAME a z'), qr/OK/, 'RENAME a z');
($ok, @u) = $c->cmd('LIST "" "*"');
is_deeply(names(@u), ['INBOX', 'z', 'z/b/c'], 'children moved along');
like(scalar $c->cmd('RENAME z z/y'), qr/NO/, 'rename into its own subtree refused');
like(scalar $c->cmd('DELETE z'), qr/OK/, 'DELETE z');
($ok, @u) = $c->cmd('LIST "" "*"');
is_deeply(names(@u), ['INBOX', 'z/b/c'], 'its child stays');
like(scalar $c->cmd('DELETE z'), qr/NO \[NONEXISTENT\]/, 'deleted twice');
like(scalar $c->cmd('DELETE INBOX'), qr/NO/, 'INBOX cannot be deleted');

# RENAME INBOX: messages move, INBOX stays, empty, with a new UIDVALIDITY
$c->send("A1 APPEND INBOX {12+}\r\nSubject: x\r\n\r\n");
like(scalar $c->until_tag('A1'), qr/^A1 OK/, 'APPEND');
($ok, @u) = $c->cmd('STATUS INBOX (MESSAGES UIDVALIDITY)');
my ($v1) = $u[0] =~ /UIDVALIDITY (\d+)/;
like(scalar $c->cmd('RENAME INBOX Old'), qr/OK/, 'RENAME INBOX Old');
($ok, @u) = $c->cmd('STATUS Old (MESSAGES)');
is($u[0], '* STATUS "Old" (MESSAGES 1)', 'the message moved');
($ok, @u) = $c->cmd('STATUS INBOX (MESSAGES UIDVALIDITY)');
like($u[0], qr/MESSAGES 0 /, 'INBOX is empty');
my ($v2) = $u[0] =~ /UIDVALIDITY (\d+)/;
ok($v2 > $v1, 'INBOX got a new UIDVALIDITY');
$n->stop;
done_testing;
